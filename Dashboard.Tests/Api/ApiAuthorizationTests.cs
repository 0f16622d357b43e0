using System.Net;
using System.Text.RegularExpressions;
using Dashboard.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Api;

/// <summary>
/// No request path of the API names an actor without a principal: every endpoint the app maps under the
/// API's prefixes asks for an API key policy, and real calls without a key, with a wrong one, with a
/// sign-in cookie or with a read key on an action are refused with VerneMQ's bodies (docs/security.md).
/// </summary>
public sealed partial class ApiAuthorizationTests : IAsyncLifetime
{
    private const string KeyRequired = "An API key is required: send it as the Basic-auth user name or in an x-api-key header";

    private ApiTestHost _api = null!;

    public ValueTask InitializeAsync()
    {
        _api = ApiTestHost.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    private static string Alert(string message) =>
        $$"""{"alert":[{"text":{{System.Text.Json.JsonSerializer.Serialize(message)}},"type":"text"}],"type":"alert"}""";

    // What a read key is told on each action, by path: written here, not taken from the app.
    private static string? ReadKeyRefusal(string path) =>
        path.StartsWith("/api/v1/blocks", StringComparison.Ordinal) ? "This API key has the read scope: blocks need a key with the mgmt scope"
        : path.EndsWith("/disconnect", StringComparison.Ordinal) ? "This API key has the read scope: session disconnect needs a key with the mgmt scope"
        : path.EndsWith("/reauthorize", StringComparison.Ordinal) ? "This API key has the read scope: session reauthorize needs a key with the mgmt scope"
        : null;

    /// <summary>Every (method, path) the app maps under <c>/api/</c> and at <c>/metrics</c>, route parameters filled in.</summary>
    private List<(RouteEndpoint Endpoint, string Method, string Path)> ApiRequests()
    {
        var endpoints = _api.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/", StringComparison.Ordinal) || raw == "/metrics"));
        var requests = new List<(RouteEndpoint, string, string)>();
        foreach (var endpoint in endpoints)
        {
            var path = Parameter().Replace(CatchAll().Replace(endpoint.RoutePattern.RawText!, "nonsense"), "1");
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [HttpMethods.Get];
            requests.AddRange(methods.Select(method => (endpoint, method, path)));
        }
        return requests;
    }

    [Fact]
    public void Endpoints_UnderTheApi_EachRequiresAnApiKeyPolicyAndNoneIsAnonymous()
    {
        var requests = ApiRequests();

        // session and sessions × show, disconnect, reauthorize × v1, v2; two catch-alls; three block calls; /metrics.
        Assert.Equal(18, requests.Select(r => r.Endpoint).Distinct().Count());
        foreach (var (endpoint, _, path) in requests)
        {
            Assert.True(endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null, $"{path} allows anonymous callers");
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            Assert.True(policies.Contains(Policies.ApiRead) || policies.Contains(Policies.ApiMgmt), $"{path} asks for {string.Join(", ", policies)}");
        }
    }

    [Fact]
    public async Task Request_NoKeyOrWrongKey_EveryEndpointAnswers401AndDoesNothing()
    {
        foreach (var (_, method, path) in ApiRequests())
        {
            // A configured-looking key, a stored-looking one (looked up in the database) and none.
            foreach (var key in new string?[] { null, "wrong-key", "mqdk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })
            {
                var (status, body, response) = await _api.SendAsync(path, key, new HttpMethod(method));

                Assert.True(status == 401, $"{method} {path} with key {key ?? "(none)"} answered {status}: {body}");
                Assert.Equal("Basic realm=\"dashboard\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
                if (path != "/metrics")
                {
                    Assert.Equal(Alert(KeyRequired), body);
                }
            }
        }
        Assert.Empty(ActionEntries());
    }

    [Fact]
    public async Task Request_ReadKey_ActionsAnswer403WithTheScopeAndReadsPass()
    {
        foreach (var (_, method, path) in ApiRequests())
        {
            var (status, body, _) = await _api.SendAsync(path, ApiTestHost.ReadKey, new HttpMethod(method));

            if (ReadKeyRefusal(path) is { } refusal)
            {
                Assert.True(status == 403, $"{method} {path} with the read key answered {status}: {body}");
                Assert.Equal(Alert(refusal), body);
            }
            else
            {
                Assert.True(status is not (401 or 403), $"{method} {path} with the read key answered {status}: {body}");
            }
        }
        Assert.Empty(ActionEntries());
    }

    [Fact]
    public async Task Request_SignedInAdminCookieWithoutKey_401()
    {
        // The API takes keys only: a browser signed in to the dashboard cannot be made to call it.
        using var admin = await _api.Host.SignInAsync();

        using var show = await admin.GetAsync("/api/v1/session/show");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/session/disconnect?client-id=c");
        using var disconnect = await admin.SendAsync(request);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (show.StatusCode, disconnect.StatusCode));
        Assert.Equal(Alert(KeyRequired), await disconnect.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Disconnect_MgmtKey_AuditedUnderTheKeysActor()
    {
        var (status, _, _) = await _api.SendAsync("/api/v2/session/disconnect?client-id=nobody", ApiTestHost.MgmtKey);

        Assert.Equal(200, status);
        var entry = Assert.Single(ActionEntries());
        // Api:Keys:0 is the mgmt key ApiTestHost configures.
        Assert.Equal(("config:Api:Keys:0", "nobody"), (entry.Actor, entry.Target));
    }

    // Disconnects, reauthorizations and block changes, refused ones included (the admin's creation at start is not one).
    private List<AuditEntry> ActionEntries() =>
        [.. _api.Host.Services.GetRequiredService<AuditLog>().Query(new AuditQuery()).Value.Entries
            .Where(e => e.Action.StartsWith("session.", StringComparison.Ordinal) || e.Action.StartsWith("block.", StringComparison.Ordinal))];

    [GeneratedRegex(@"\{\*\*[^}]+\}")]
    private static partial Regex CatchAll();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
