using System.Net.Http.Headers;
using System.Text;
using Dashboard.Core.Sessions;
using Dashboard.Tests.Hosting;

namespace Dashboard.Tests.Api;

/// <summary>The real app with two API keys (mgmt and read) and an HTTP client for its API.</summary>
internal sealed class ApiTestHost : IAsyncDisposable
{
    public const string MgmtKey = "mgmt-key-1";
    public const string ReadKey = "read-key-1";

    private ApiTestHost(DashboardHost host)
    {
        Host = host;
        Http = new HttpClient { BaseAddress = host.HttpUrl };
    }

    public DashboardHost Host { get; }

    public HttpClient Http { get; }

    public static ApiTestHost Start(params (string Key, string? Value)[] settings) => Start(null, settings);

    /// <summary>The app on <paramref name="time"/> (a fake clock the test sets) instead of the system clock.</summary>
    public static ApiTestHost Start(TimeProvider? time, params (string Key, string? Value)[] settings) =>
        new(DashboardHost.Start(time, [
            ("Api:Keys:0:Key", MgmtKey), ("Api:Keys:0:Scope", "mgmt"),
            ("Api:Keys:1:Key", ReadKey), ("Api:Keys:1:Scope", "read"),
            .. settings]));

    /// <summary>Sends a request with the key in an <c>x-api-key</c> header (or none when null).</summary>
    public async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(string pathAndQuery, string? key = MgmtKey, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, pathAndQuery);
        if (key is not null)
        {
            request.Headers.Add("x-api-key", key);
        }
        var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response);
    }

    /// <summary>Sends a request with the key as the Basic-auth user name, as VerneMQ's examples do.</summary>
    public async Task<(int Status, string Body)> SendBasicAsync(string pathAndQuery, string user, string password = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Polls the store until the client's queue satisfies the condition (null: no queue).</summary>
    public Task<QueueState?> WaitForAsync(string clientId, Func<QueueState?, bool> condition, string what) =>
        Host.Store.WaitForAsync(clientId, condition, what + " never happened");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}
