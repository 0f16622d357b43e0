using Dashboard.Core.Output;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Query;

/// <summary>The cases VerneMQ's own test suite checks for <c>vmq-info-client</c>, against a store fed as the broker would.</summary>
public class AcceptanceTests
{
    private const string Host = "192.168.7.3";
    private const int Port = 51234;

    private static SessionStore SubscribedClient()
    {
        var (store, _) = TestStores.Create();
        store.Connect("vmq-info-client", Port, clean: false, protocol: 3, host: Host);
        store.Subscribe("vmq-info-client", "some/topic/1", qos: 0);
        store.Subscribe("vmq-info-client", "with/wildcard/#", qos: 1);
        store.Subscribe("vmq-info-client", "with/+/wildcard", qos: 2);
        return store;
    }

    [Theory]
    [InlineData("--is_offline=false")]
    [InlineData("--is_online=true")]
    [InlineData("--statename=online")]
    [InlineData("--deliver_mode=fanout")]
    [InlineData("--offline_messages=0")]
    [InlineData("--online_messages=0")]
    [InlineData("--num_sessions=1")]
    [InlineData("--clean_session=false")]
    [InlineData("--is_plugin=false")]
    [InlineData("--user=undefined")]
    [InlineData("--peer_host=" + Host)]
    [InlineData("--peer_port=51234")]
    [InlineData("--protocol=3")]
    [InlineData("--waiting_acks=0")]
    public void Online_FilterOnField_ReturnsExactlyOneRow(string filter)
    {
        var field = filter[2..filter.IndexOf('=', StringComparison.Ordinal)];
        var value = filter[(filter.IndexOf('=', StringComparison.Ordinal) + 1)..];

        var result = SubscribedClient().Show($"{filter} --{field} --client_id");

        var row = Assert.Single(result.Table());
        Assert.Equal("vmq-info-client", row["client_id"]);
        Assert.Equal(value, row[field]);
    }

    [Theory]
    [InlineData("some/topic/1", 0)]
    [InlineData("with/wildcard/#", 1)]
    [InlineData("with/+/wildcard", 2)]
    public void Online_TopicFilter_ReturnsItsQos(string topic, int qos)
    {
        var store = SubscribedClient();

        var byTopic = Assert.Single(store.Show($"--topic={topic} --topic --qos").Table());
        var byQos = Assert.Single(store.Show($"--qos={qos} --topic --qos").Table());

        Assert.Equal((topic, qos.ToString(System.Globalization.CultureInfo.InvariantCulture)), (byTopic["topic"], byTopic["qos"]));
        Assert.Equal(byTopic, byQos);
    }

    [Theory]
    [InlineData("--msg_ref", "msg_ref", null)]
    [InlineData("--msg_qos=1", "msg_qos", "1")]
    [InlineData("--routing_key=with/wildcard/qos1", "routing_key", "with/wildcard/qos1")]
    [InlineData("--dup=false", "dup", "false")]
    [InlineData("--payload=thepayload", "payload", "thepayload")]
    public void Offline_QueuedMessage_ReturnsExactlyOneRow(string flags, string field, string? value)
    {
        var store = SubscribedClient();
        store.Disconnect("vmq-info-client");
        // Another client publishes QoS 1 "thepayload" to with/wildcard/qos1: only with/wildcard/# matches.
        store.Connect("publisher", 40000, clean: true);
        store.Queue("vmq-info-client", "ref-1", "with/wildcard/qos1", "thepayload", qos: 1);
        store.Disconnect("publisher");

        var row = Assert.Single(store.Show($"{flags} --{field} --client_id").Table());

        Assert.Equal("vmq-info-client", row["client_id"]);
        Assert.Equal(value ?? "ref-1", row[field]);
    }

    [Fact]
    public void Offline_PersistentQueue_KeepsSubscriptionsAndCountsOfflineMessages()
    {
        var store = SubscribedClient();
        store.Disconnect("vmq-info-client");
        store.Queue("vmq-info-client", "ref-1", "with/wildcard/qos1", "thepayload");

        var row = Assert.Single(store.Show("--is_offline --statename --offline_messages --online_messages --peer_host --user --clean_session").Table());

        Assert.Equal(("true", "offline", "1", "0"), (row["is_offline"], row["statename"], row["offline_messages"], row["online_messages"]));
        Assert.Equal(("undefined", "undefined", "false"), (row["peer_host"], row["user"], row["clean_session"]));
        Assert.Equal(3, store.Show("--topic").Rows.Count);
        Assert.Empty(TextTable.Render(store.Show("--is_online=true")));
    }
}
