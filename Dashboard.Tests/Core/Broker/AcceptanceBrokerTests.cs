using System.Globalization;
using System.Net;
using Dashboard.Core.Output;
using Dashboard.Core.Query;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.Tests.Core.Broker;

/// <summary>The vmq-info-client cases of VerneMQ's own test suite end to end: a real MQTT 3.1 client, the broker, the tracker and the query engine.</summary>
public class AcceptanceBrokerTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Single(BrokerHarness broker, string text)
    {
        var result = QueryEngine.Run(QueryParser.ParseText(text).Value, broker.Store).Value;
        var row = Assert.Single(result.Rows);
        return result.Columns.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => ValueText.Plain(row[p.i]));
    }

    [Fact]
    public async Task VmqInfoClient_EveryAcceptanceQuery_ReturnsExactlyOneRow()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var client = await broker.ConnectAsync(broker.Options("vmq-info-client", MqttProtocolVersion.V310).WithKeepAlivePeriod(TimeSpan.FromSeconds(60)).Build());
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("some/topic/1", MqttQualityOfServiceLevel.AtMostOnce)
            .WithTopicFilter("with/wildcard/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("with/+/wildcard", MqttQualityOfServiceLevel.ExactlyOnce)
            .Build(), Cancel);
        await broker.WaitForAsync("vmq-info-client", q => q?.Subscriptions.Length == 3, "three subscriptions");
        var peer = (IPEndPoint)Assert.Single(await broker.Server.GetClientsAsync()).RemoteEndPoint;

        foreach (var (filter, field, value) in new[]
        {
            ("--is_offline=false", "is_offline", "false"), ("--is_online=true", "is_online", "true"),
            ("--statename=online", "statename", "online"), ("--deliver_mode=fanout", "deliver_mode", "fanout"),
            ("--offline_messages=0", "offline_messages", "0"), ("--online_messages=0", "online_messages", "0"),
            ("--num_sessions=1", "num_sessions", "1"), ("--clean_session=false", "clean_session", "false"),
            ("--is_plugin=false", "is_plugin", "false"), ("--user=undefined", "user", "undefined"),
            ($"--peer_host={peer.Address}", "peer_host", peer.Address.ToString()),
            ($"--peer_port={peer.Port}", "peer_port", peer.Port.ToString(CultureInfo.InvariantCulture)),
            ("--protocol=3", "protocol", "3"), ("--waiting_acks=0", "waiting_acks", "0"),
        })
        {
            Assert.Equal(value, Single(broker, $"{filter} --{field}")[field]);
        }
        foreach (var (topic, qos) in new[] { ("some/topic/1", "0"), ("with/wildcard/#", "1"), ("with/+/wildcard", "2") })
        {
            Assert.Equal((topic, qos), (Single(broker, $"--topic={topic} --topic --qos")["topic"], Single(broker, $"--topic={topic} --topic --qos")["qos"]));
            Assert.Equal(topic, Single(broker, $"--qos={qos} --topic --qos")["topic"]);
        }

        await client.DisconnectAsync(cancellationToken: Cancel);
        await broker.WaitForAsync("vmq-info-client", q => q is { IsOnline: false }, "the client is offline");
        var publisher = await broker.ConnectAsync("publisher", clean: true);
        await publisher.PublishStringAsync("with/wildcard/qos1", "thepayload", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await broker.WaitForAsync("vmq-info-client", q => q?.Messages.Length == 1, "the message is queued");

        Assert.NotEqual("undefined", Single(broker, "--msg_ref")["msg_ref"]);
        Assert.Equal("1", Single(broker, "--msg_qos=1 --msg_qos")["msg_qos"]);
        Assert.Equal("with/wildcard/qos1", Single(broker, "--routing_key=with/wildcard/qos1 --routing_key")["routing_key"]);
        Assert.Equal("false", Single(broker, "--dup=false --dup")["dup"]);
        Assert.Equal("thepayload", Single(broker, "--payload=thepayload --payload")["payload"]);
    }
}
