using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>
/// What the VerneMQ tests that talk to the dashboard's API share: real MQTT clients on the cluster's
/// nodes (disconnected afterwards), the dashboard's <c>session show</c>, an order-free row comparison and
/// a bounded wait. Each test class scopes its client ids with its own prefix.
/// </summary>
public abstract class VerneMqApiTest(VerneMqDashboardApp app, string prefix) : IAsyncLifetime
{
    private readonly List<IMqttClient> _clients = [];

    protected VerneMqDashboardApp App { get; } = app;

    /// <summary>A prefix of this test's client ids, unique per test.</summary>
    protected string Scope { get; } = prefix + Guid.NewGuid().ToString("N")[..6];

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        App.SkipWithoutVerneMq();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync();
            }
            client.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    protected async Task<IMqttClient> ConnectAsync(VerneMqCluster.Node node, string clientId, MqttProtocolVersion protocol, bool persistent, string? user)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", node.MqttPort).WithClientId(clientId).WithProtocolVersion(protocol);
        options = protocol == MqttProtocolVersion.V500
            ? options.WithCleanStart(!persistent).WithSessionExpiryInterval(persistent ? 3600u : 0u)
            : options.WithCleanSession(!persistent);
        if (user is not null)
        {
            options = options.WithCredentials(user, "secret");
        }
        await client.ConnectAsync(options.Build(), Cancel);
        _clients.Add(client);
        return client;
    }

    protected HttpClient DashboardHttp(string? baseUrl = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl ?? App.BaseUrl) };
        http.DefaultRequestHeaders.Add("x-api-key", VerneMqDashboardApp.DashboardKey);
        return http;
    }

    /// <summary>The dashboard's answer to <c>/api/v1/session/show?{query}</c> (another dashboard's with <paramref name="baseUrl"/>).</summary>
    protected async Task<JsonElement> DashboardShowAsync(string query, string? baseUrl = null)
    {
        using var http = DashboardHttp(baseUrl);
        return JsonDocument.Parse(await http.GetStringAsync("/api/v1/session/show?" + query, Cancel)).RootElement.Clone();
    }

    /// <summary>The rows of a session show answer, each as compact JSON with sorted keys, the rows sorted: order-free comparison.</summary>
    protected static List<string> Rows(JsonElement answer) =>
        [.. answer.GetProperty("table").EnumerateArray()
            .Select(row => "{" + string.Join(",", row.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => JsonSerializer.Serialize(p.Name) + ":" + Canonical(p.Value))) + "}")
            .Order(StringComparer.Ordinal)];

    private static string Canonical(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? JsonSerializer.Serialize(value.GetString(), CanonicalOptions)
        : value.GetRawText();

    private static readonly JsonSerializerOptions CanonicalOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>How many hooks <paramref name="node"/> lists (<c>vmq-admin webhooks show</c>) with an endpoint at <paramref name="address"/>.</summary>
    protected async Task<int> HooksOfAsync(VerneMqCluster.Node node, string address, string path = "/vernemq/webhook/")
    {
        var table = await App.Cluster.AdminAsync(node, "webhooks", "show");
        // One row per line; the endpoint column holds the whole address (vmq-admin does not wrap).
        return table.Split('\n').Count(line => line.Contains(address + path, StringComparison.Ordinal));
    }

    /// <summary>Waits until <paramref name="actual"/> equals <paramref name="expected"/>; on time-out the assertion shows both as they are then.</summary>
    protected static async Task EventuallyEqualAsync(List<string> expected, Func<Task<List<string>>> actual, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var last = await actual();
        while (!last.SequenceEqual(expected) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Cancel);
            last = await actual();
        }
        Assert.Equal(expected, last);
    }

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for {what}");
            }
            await Task.Delay(100, Cancel);
        }
    }
}
