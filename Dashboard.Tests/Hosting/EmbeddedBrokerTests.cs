using Dashboard.Core.Auth;
using Dashboard.Core.Blocks;
using Dashboard.Core.Sessions;
using Dashboard.Security;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.Tests.Hosting;

/// <summary>The broker inside the dashboard's host: MQTT over TCP and WebSocket, auth files from configuration.</summary>
public sealed class EmbeddedBrokerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("embedded-broker-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<QueueState> WaitOnlineAsync(DashboardHost host, string clientId) =>
        (await host.Store.WaitForAsync(clientId, q => q is { IsOnline: true }, "never showed up online in the store"))!;

    [Fact]
    public async Task Mqtt_OverTcpAndWebSocket_ClientsAppearInTheStore()
    {
        await using var host = DashboardHost.Start();
        using var tcp = new MqttClientFactory().CreateMqttClient();
        using var ws = new MqttClientFactory().CreateMqttClient();

        await tcp.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", host.MqttPort).WithClientId("over-tcp")
            .WithProtocolVersion(MqttProtocolVersion.V500).Build(), Cancel);
        await ws.ConnectAsync(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri($"ws://{host.HttpUrl.Authority}/mqtt"))
            .WithClientId("over-websocket").Build(), Cancel);
        await ws.SubscribeAsync("browser/#", cancellationToken: Cancel);

        Assert.Equal(5, (await WaitOnlineAsync(host, "over-tcp")).Sessions[0].Protocol);
        var viaWebSocket = await WaitOnlineAsync(host, "over-websocket");
        Assert.Equal("host-test@127.0.0.1", host.Store.NodeName);
        await host.Store.WaitForAsync(viaWebSocket.Key.ClientId, q => q?.Subscriptions.Length == 1, "the WebSocket client's subscription never reached the store");
    }

    [Theory]
    // The client's own socket says what the broker announced: at most 1,460 bytes by default; when the
    // setting leaves it to the system, the loopback's 65,483, which the client's kernel then clamps to
    // half the window it has seen (32,741 here), far above the cap (docs/broker.md, "Small receive windows").
    [InlineData(null, 1, 1460)]
    [InlineData("0", 8_000, 65_495)]
    public async Task Mqtt_TcpSegmentSize_IsWhatMaxSegmentSizeSays(string? setting, int atLeast, int atMost)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "TCP_MAXSEG is read the Linux way");
        await using var host = DashboardHost.Start(("Mqtt:MaxSegmentSize", setting));
        using var client = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await client.ConnectAsync(System.Net.IPAddress.Loopback, host.MqttPort, Cancel);

        var value = new byte[4];
        client.GetRawSocketOption(6, 2, value); // IPPROTO_TCP, TCP_MAXSEG
        var segment = BitConverter.ToInt32(value);

        Assert.InRange(segment, atLeast, atMost);
    }

    [Fact]
    public async Task Http_TcpSegmentSize_NotCappedLikeMqtt_EvenOnTheSameAddressAndPortZero()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "TCP_MAXSEG is read the Linux way");
        // Both listeners asked for port 0 on 127.0.0.1: only the MQTT one is capped.
        await using var host = DashboardHost.Start();
        using var client = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await client.ConnectAsync(System.Net.IPAddress.Loopback, host.HttpUrl.Port, Cancel);

        var value = new byte[4];
        client.GetRawSocketOption(6, 2, value); // IPPROTO_TCP, TCP_MAXSEG

        Assert.InRange(BitConverter.ToInt32(value), 8_000, 65_495);
    }

    [Fact]
    public async Task AuthFiles_FromConfiguration_AreEnforced()
    {
        var passwords = Path.Combine(_folder, "vmq.passwd");
        var acl = Path.Combine(_folder, "vmq.acl");
        Assert.True(PasswordFile.SetUser(passwords, "alice", "s3cret").IsSuccess);
        await File.WriteAllTextAsync(acl, "user alice\ntopic read alice/#\n", Cancel);
        await using var host = DashboardHost.Start(("Broker:PasswordFile", passwords), ("Broker:AclFile", acl), ("Broker:AllowAnonymous", "false"));
        MqttClientOptionsBuilder Options(string id) => new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", host.MqttPort).WithClientId(id).WithProtocolVersion(MqttProtocolVersion.V500);
        using var client = new MqttClientFactory().CreateMqttClient();

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, (await client.ConnectAsync(Options("anonymous").Build(), Cancel)).ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await client.ConnectAsync(Options("wrong").WithCredentials("alice", "guess").Build(), Cancel)).ResultCode);
        Assert.Equal(MqttClientConnectResultCode.Success, (await client.ConnectAsync(Options("alice-1").WithCredentials("alice", "s3cret").Build(), Cancel)).ResultCode);
        var granted = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("alice/inbox").WithTopicFilter("bob/inbox").Build(), Cancel);

        Assert.Equal([MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.NotAuthorized], granted.Items.Select(i => i.ResultCode));
    }

    [Fact]
    public async Task Start_StoredBlocks_EnforcedOnceTheHostHasStarted()
    {
        // A block stored by an earlier run of the app on the same data folder.
        await using (var earlier = DashboardHost.Start(("Data:Path", _folder)))
        {
            Assert.True(earlier.Services.GetRequiredService<ClientBlockStore>()
                .Add("client_id", "blocked-since-last-run", "stolen device", null, "admin").IsSuccess);
        }

        await using var host = DashboardHost.Start(("Data:Path", _folder));

        // Read the moment the host has started, before any request or client: the broker's checks and their
        // blocks are made during the start, not later when the broker's started event or a request asks for
        // them (a database unreadable by then once gave a request a 500).
        var rule = Assert.Single(host.Services.GetRequiredService<ClientBlockList>().Rules);
        Assert.Equal((BlockKind.ClientId, "blocked-since-last-run"), (rule.Block.Kind, rule.Block.Pattern));
    }
}
