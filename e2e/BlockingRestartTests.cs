using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>The dashboard as a process with a mgmt API key, to be killed and started again.</summary>
public sealed class BlockingBrokerApp : AppProcess
{
    public const string ApiKey = "e2e-blocking-mgmt-key-0123456789";

    protected override IEnumerable<string> ExtraArguments => ["--Api:Keys:0:Key=" + ApiKey, "--Api:Keys:0:Scope=mgmt"];
}

/// <summary>Blocks are stored (docs/blocking.md#storage), so a block made before a crash (SIGKILL) still refuses the client after the restart.</summary>
public sealed class BlockingRestartTests : IAsyncLifetime
{
    /// <summary>MQTT 5 §3.2.2.2: CONNACK reason code 0x8A, Banned.</summary>
    private const int Banned = 0x8A;

    private readonly BlockingBrokerApp _app = new();
    private readonly string _clientId = "e2e-block-restart-" + Guid.NewGuid().ToString("N")[..8];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _app.InitializeAsync();

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact(Timeout = 240_000)]
    public async Task Block_AppKilledAndRestarted_StillRefusesTheClient_UntilRemoved()
    {
        using (var http = Api())
        {
            using var added = await http.PostAsJsonAsync("/api/v1/blocks",
                new { kind = "client_id_pattern", pattern = _clientId[..^3] + "*", reason = "survives restarts" }, Cancel);
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }
        Assert.Equal(Banned, (int)await TryConnectAsync(MqttProtocolVersion.V500));

        await _app.StopAsync();
        await _app.StartAsync();

        Assert.Equal(Banned, (int)await TryConnectAsync(MqttProtocolVersion.V500));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await TryConnectAsync(MqttProtocolVersion.V311));
        using (var http = Api())
        {
            var list = await http.GetFromJsonAsync<JsonElement>("/api/v1/blocks", Cancel);
            var block = Assert.Single(list.GetProperty("blocks").EnumerateArray());
            Assert.Equal(_clientId[..^3] + "*", block.GetProperty("pattern").GetString());
            Assert.Equal("survives restarts", block.GetProperty("reason").GetString());
            Assert.Equal(JsonValueKind.Null, block.GetProperty("expires").ValueKind);
            using var removed = await http.DeleteAsync($"/api/v1/blocks/{block.GetProperty("id").GetInt64()}", Cancel);
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }
        Assert.Equal(MqttClientConnectResultCode.Success, await TryConnectAsync(MqttProtocolVersion.V500));
    }

    private HttpClient Api()
    {
        var http = new HttpClient { BaseAddress = new Uri(_app.BaseUrl) };
        http.DefaultRequestHeaders.Add("x-api-key", BlockingBrokerApp.ApiKey);
        return http;
    }

    private async Task<MqttClientConnectResultCode> TryConnectAsync(MqttProtocolVersion version)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _app.MqttPort).WithClientId(_clientId)
            .WithProtocolVersion(version).WithTimeout(TimeSpan.FromSeconds(10)).Build();
        var result = await client.ConnectAsync(options, Cancel);
        if (client.IsConnected)
        {
            await client.DisconnectAsync(cancellationToken: Cancel);
        }
        return result.ResultCode;
    }
}
