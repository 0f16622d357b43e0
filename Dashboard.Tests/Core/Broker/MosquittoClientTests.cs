using System.Globalization;
using System.Net;
using System.Text;

namespace Dashboard.Tests.Core.Broker;

/// <summary>What the store reports for Debian's mosquitto clients is what they really have.</summary>
public class MosquittoClientTests
{
    [Theory]
    [InlineData("mqttv31", 3)]
    [InlineData("mqttv311", 4)]
    [InlineData("mqttv5", 5)]
    public async Task MosquittoSub_PersistentSession_StoreShowsProtocolPortSubscriptionsAndQueuedPayload(string version, int protocol)
    {
        await using var broker = await BrokerHarness.StartAsync();
        var port = broker.Port.ToString(CultureInfo.InvariantCulture);
        var clientId = $"mosq-{version}";
        string[] subscriber = ["-h", "127.0.0.1", "-p", port, "-V", version, "-i", clientId, "-c", "-q", "1", "-u", "sensor-user",
            "-t", "plant/+/temp", "-t", "alarms/#", "-C", "1"];
        if (protocol == 5)
        {
            subscriber = [.. subscriber, "-x", "3600"];
        }
        using (var sub = Mosquitto.Start("mosquitto_sub", subscriber))
        {
            var online = await broker.WaitForAsync(clientId, q => q is { IsOnline: true, Subscriptions.Length: 2 }, "mosquitto_sub is online with two subscriptions");

            var session = online!.Sessions[0];
            var status = Assert.Single(await broker.Server.GetClientsAsync());
            Assert.Equal((protocol, "sensor-user", ((IPEndPoint)status.RemoteEndPoint).Port), (session.Protocol, session.User, session.PeerPort));
            Assert.Equal([("alarms/#", 1), ("plant/+/temp", 1)], online.Subscriptions.Select(s => (s.Topic, s.Qos)));
            Assert.False(online.CleanSession);
            await Mosquitto.StopAsync(sub);
        }
        await broker.WaitForAsync(clientId, q => q is { IsOnline: false }, "mosquitto_sub went offline and kept its session");

        // MQTTnet refuses empty client ids before MQTT 5, which MQTT 3.1.1 allows a broker to do.
        await Mosquitto.RunAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", version, "-i", $"pub-{version}", "-q", "1", "-t", "plant/7/temp", "-m", "21.5 °C");

        var queued = await broker.WaitForAsync(clientId, q => q?.Messages.Length == 1, "the reading is queued");
        var message = queued!.Messages[0];
        Assert.Equal(("plant/7/temp", 1, "21.5 °C"), (message.RoutingKey, message.Qos, Encoding.UTF8.GetString(message.Payload.Span)));

        var received = await Mosquitto.RunAsync("mosquitto_sub", subscriber);

        Assert.Equal("21.5 °C\n", received);
        await broker.WaitForAsync(clientId, q => q is { Messages.Length: 0 }, "the delivered reading left the queue");
    }
}
