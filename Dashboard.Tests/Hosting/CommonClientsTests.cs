using System.Globalization;
using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Tests.Core.Broker;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.Tests.Hosting;

/// <summary>
/// The clients people already use, with their defaults, against the embedded broker: Debian's mosquitto
/// clients connect without a client id (MQTT 3.1.1, clean session) and get one; QoS 0 messages are not
/// queued for offline sessions unless asked for.
/// </summary>
public sealed class CommonClientsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MosquittoDefaults_NoClientId_ConnectSubscribeAndPublish_AssignedIdShown()
    {
        await using var host = DashboardHost.Start();
        var port = host.MqttPort.ToString(CultureInfo.InvariantCulture);
        var topic = "common/" + Guid.NewGuid().ToString("N")[..8];
        // mosquitto_sub as people type it: no -i, no -V, no -c.
        using var subscriber = Mosquitto.Start("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-t", topic + "/#", "-C", "1");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        QueueState? assigned = null;
        while (assigned is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "mosquitto_sub without a client id never showed up: " + await ErrorOf(subscriber));
            using var snapshot = host.Store.OpenSnapshot();
            assigned = snapshot.QueuesWithTopic(topic + "/#").FirstOrDefault();
            await Task.Delay(20, Cancel);
        }

        await Mosquitto.RunAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-t", topic + "/a", "-m", "hi");

        Assert.Equal("hi", (await subscriber.StandardOutput.ReadToEndAsync(Cancel).WaitAsync(TimeSpan.FromSeconds(15), Cancel)).Trim());
        Assert.StartsWith("auto-", assigned.Key.ClientId, StringComparison.Ordinal);
        Assert.True(assigned.CleanSession);
        Assert.Equal(4, assigned.Sessions[0].Protocol);
    }

    [Fact]
    public async Task Mqtt311_NoClientIdWithCleanSessionOff_Refused()
    {
        await using var host = DashboardHost.Start();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", host.MqttPort, Cancel);

        // MQTTnet's client will not send this (it checks first), so it is written by hand: MQTT 3.1.1,
        // flags 0x00 (clean session off), keep-alive 60, an empty client id.
        await socket.SendAsync(new byte[] { 0x10, 0x0C, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x00, 0x00, 0x3C, 0x00, 0x00 }, Cancel);
        var answer = new List<byte>();
        var buffer = new byte[16];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, Cancel).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Cancel)) > 0)
            {
                answer.AddRange(buffer[..read]);
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            // A reset is a refusal too.
        }

        // MQTTnet's decoder refuses the packet itself and closes without a CONNACK (see docs/reliability.md):
        // whatever arrives, it is not an accepting CONNACK (20 02 00 00), and no session exists.
        Assert.False(answer is [0x20, 0x02, _, 0x00, ..], "the broker accepted a nameless persistent session");
        Assert.Equal(0, host.Store.Counters.Queues);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task ClientIdWithNul_Refused_NothingStored(MqttProtocolVersion protocol)
    {
        await using var host = DashboardHost.Start();
        using var client = new MqttClientFactory().CreateMqttClient();

        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", host.MqttPort)
            .WithClientId("nul\0inside").WithProtocolVersion(protocol).Build(), Cancel);

        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result.ResultCode);
        Assert.Equal(0, host.Store.Counters.Queues);
    }

    [Fact]
    public async Task ClientIdOverTheLimit_Refused_AtTheLimit_AcceptedAndItsPageReachable()
    {
        await using var host = DashboardHost.Start();
        // Counted in UTF-8 bytes, as MQTT does: 513 × "é" is 1,026 bytes in 513 characters.
        var tooLong = new string('\u00e9', 513);
        var longest = new string('\u00e9', 512);
        using var refused = new MqttClientFactory().CreateMqttClient();
        var result = await refused.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", host.MqttPort)
            .WithClientId(tooLong).WithProtocolVersion(MqttProtocolVersion.V500).Build(), Cancel);
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result.ResultCode);
        Assert.Equal("Client ids may be at most 1024 bytes long", result.ReasonString);

        using var accepted = new MqttClientFactory().CreateMqttClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await accepted.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", host.MqttPort).WithClientId(longest).Build(), Cancel)).ResultCode);
        await host.Store.WaitForAsync(longest, q => q is not null, "the longest accepted id never showed");
        Assert.Null(host.Store.Get(new QueueKey("", tooLong)));

        // Its detail page answers (a 65,000-character id made it 414 URI Too Long).
        using var browser = await host.SignInAsync();
        using var page = await browser.GetAsync("/sessions/" + Uri.EscapeDataString(longest));
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public async Task OfflineSession_Qos0AndQos1Published_Qos0QueuedOnlyWhenAskedFor(bool queueQos0, long expectedOffline)
    {
        await using var host = DashboardHost.Start(("Broker:QueueQos0Messages", queueQos0 ? "true" : "false"));
        var id = "offline-qos-" + Guid.NewGuid().ToString("N")[..8];
        using var sleeper = new MqttClientFactory().CreateMqttClient();
        await sleeper.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", host.MqttPort).WithClientId(id)
            .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(false).Build(), Cancel);
        await sleeper.SubscribeAsync(id + "/#", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await sleeper.DisconnectAsync(cancellationToken: Cancel);
        // Offline for the broker too: until it has handled the DISCONNECT, messages go to the connection.
        await host.Store.WaitForAsync(id, q => q is { IsOnline: false }, "the session never went offline");
        using var publisher = new MqttClientFactory().CreateMqttClient();
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", host.MqttPort).WithClientId(id + "-pub").Build(), Cancel);

        await publisher.PublishStringAsync(id + "/zero", "qos 0", MqttQualityOfServiceLevel.AtMostOnce, cancellationToken: Cancel);
        await publisher.PublishStringAsync(id + "/one", "qos 1", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        // A QoS 1 message sent after the QoS 0 one is queued after it: once it is in, the QoS 0 one was decided.
        await host.Store.WaitForAsync(id, q => q is { } queue && queue.Messages.Any(m => m.RoutingKey == id + "/one"), "the QoS 1 message never reached the offline queue");

        var rows = QueryEngine.Run(new SessionQuery { Columns = ["offline_messages"], Filters = [new FieldFilter("client_id", FilterKind.Equal, id)] }, host.Store).Value.Rows;
        Assert.Equal(expectedOffline, Assert.Single(rows)[0]);
    }

    private static async Task<string> ErrorOf(System.Diagnostics.Process process) =>
        process.HasExited ? await process.StandardError.ReadToEndAsync(Cancel) : "(still running)";
}
