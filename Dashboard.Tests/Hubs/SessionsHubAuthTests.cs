using System.Net;
using Dashboard.Hubs;
using Dashboard.Security;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Hubs;

/// <summary>The live feed shows every client id and topic, so only callers with an API key may follow it.</summary>
public sealed class SessionsHubAuthTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Connect_WithoutKey_RefusedWith401()
    {
        await using var host = HubClient.StartHost();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => HubClient.ConnectAsync(host.HttpUrl, apiKey: null));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Connect_StoredKey_AcceptedUntilRevoked()
    {
        await using var host = HubClient.StartHost();
        var keys = host.Services.GetRequiredService<ApiKeyStore>();
        var secret = keys.Create("wall-script", ApiKeyScope.Read, null, "admin").Value.Secret;

        await using (await HubClient.ConnectAsync(host.HttpUrl, apiKey: secret))
        {
        }
        keys.Revoke("wall-script", "admin");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => HubClient.ConnectAsync(host.HttpUrl, apiKey: secret));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task OpenConnection_KeyRevoked_ConnectionEnds()
    {
        await using var host = HubClient.StartHost(("Auth:RevalidateInterval", "00:00:00.200"));
        var keys = host.Services.GetRequiredService<ApiKeyStore>();
        var revoked = keys.Create("old-script", ApiKeyScope.Read, null, "admin").Value.Secret;
        var kept = keys.Create("kept-script", ApiKeyScope.Read, null, "admin").Value.Secret;
        await using var revokedClient = await HubClient.ConnectAsync(host.HttpUrl, apiKey: revoked);
        await using var keptClient = await HubClient.ConnectAsync(host.HttpUrl, apiKey: kept);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        revokedClient.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        keys.Revoke("old-script", "admin");

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(15), Cancel);
        Assert.Equal(HubConnectionState.Disconnected, revokedClient.Connection.State);
        // The check ends only what no longer stands: a configured or still valid key keeps its feed.
        Assert.Equal(HubConnectionState.Connected, keptClient.Connection.State);
    }

    [Fact]
    public async Task Connect_WithWrongKey_RefusedWith401()
    {
        await using var host = HubClient.StartHost();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => HubClient.ConnectAsync(host.HttpUrl, apiKey: "not-a-key"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?access_token=wrong")]
    public async Task Negotiate_NoValidKey_401WithPlainExplanation(string query)
    {
        await using var host = HubClient.StartHost();
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(host.HttpUrl, SessionsHub.Path + "/negotiate" + query), null, Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("API key is required", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal("Basic realm=\"dashboard\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Negotiate_KeyAsAccessToken_Accepted()
    {
        // Browsers cannot put headers on a WebSocket, so SignalR's JavaScript client sends the key in the query.
        await using var host = HubClient.StartHost();
        using var http = new HttpClient();

        using var response = await http.PostAsync(
            new Uri(host.HttpUrl, SessionsHub.Path + "/negotiate?negotiateVersion=1&access_token=" + HubClient.ReadKey), null, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("connectionToken", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_KeyAsBasicUserName_Accepted()
    {
        await using var host = HubClient.StartHost(("Api:Keys:1:Key", "mgmt-key"));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.HttpUrl, SessionsHub.Path + "/negotiate?negotiateVersion=1"));
        request.Headers.Authorization = new("Basic", Convert.ToBase64String("mgmt-key:"u8));

        using var response = await http.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
    [Theory]
    [InlineData(null, HttpStatusCode.OK)]
    [InlineData("same", HttpStatusCode.OK)]
    [InlineData("http://127.0.0.1:1", HttpStatusCode.Forbidden)]
    [InlineData("http://evil.example", HttpStatusCode.Forbidden)]
    public async Task Negotiate_FromAnotherOrigin_Refused(string? origin, HttpStatusCode expected)
    {
        // SameSite ignores the port, so a page on another port of this host would carry the cookie.
        await using var host = HubClient.StartHost();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.HttpUrl, SessionsHub.Path + "/negotiate?negotiateVersion=1"));
        request.Headers.Add("x-api-key", HubClient.ReadKey);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin == "same" ? host.HttpUrl.GetLeftPart(UriPartial.Authority) : origin);
        }

        using var response = await http.SendAsync(request, Cancel);

        Assert.Equal(expected, response.StatusCode);
    }
}
