using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Query;

public class QueryEngineTests
{
    private static SessionStore Mixed()
    {
        var (store, _) = TestStores.Create("node-a");
        store.Connect("alice-phone", 50001, user: "alice", protocol: 5);
        store.Subscribe("alice-phone", "home/+/temp", qos: 1);
        store.Subscribe("alice-phone", "123", qos: 0);
        store.Connect("sensor-1", 50002);
        store.Subscribe("sensor-1", "test/a");
        store.Connect("sensor-2", 50003);
        store.Disconnect("sensor-2");
        store.Queue("sensor-2", "m1", "test/a", "first");
        store.Queue("sensor-2", "m2", "test/b", "second");
        store.Connect("no-subs", 50004, clean: true);
        return store;
    }

    [Fact]
    public void Run_DefaultQuery_ShowsDefaultColumnsAlphabeticallyOneRowPerQueue()
    {
        var result = Mixed().Show("");

        Assert.Equal(["client_id", "is_online", "mountpoint", "peer_host", "peer_port", "user"], result.Columns);
        Assert.Equal(["sensor-2", "sensor-1", "no-subs", "alice-phone"], result.Column("client_id"));
        Assert.False(result.LimitReached);
    }

    [Fact]
    public void Run_ExplicitColumns_AreAlphabetical() =>
        Assert.Equal(["client_id", "node", "topic"], Mixed().Show("--topic --node --client_id").Columns);

    [Fact]
    public void Run_OfflineQueue_HasOneRowWithMissingConnectionFields()
    {
        var row = Assert.Single(Mixed().Show("--client_id=sensor-2 --peer_host --peer_port --user --session_pid --protocol").Table());

        Assert.All(["peer_host", "peer_port", "user", "session_pid", "protocol"], f => Assert.Equal("undefined", row[f]));
    }

    [Fact]
    public void Run_SubscriptionColumn_OneRowPerSubscription_QueuesWithoutNoneGiveNoRow()
    {
        var result = Mixed().Show("--client_id --topic");

        Assert.Equal(
            [("sensor-1", "test/a"), ("alice-phone", "123"), ("alice-phone", "home/+/temp")],
            result.Table().Select(r => (r["client_id"], r["topic"])));
    }

    [Fact]
    public void Run_SubscriptionAndMessageColumns_GiveTheCrossProductPerQueue()
    {
        var (store, _) = TestStores.Create();
        store.Connect("c", 1);
        store.Subscribe("c", "a");
        store.Subscribe("c", "b");
        store.Disconnect("c");
        store.Queue("c", "m1", "a", "1");
        store.Queue("c", "m2", "b", "2");

        var result = store.Show("--topic --msg_ref");

        Assert.Equal([("m1", "a"), ("m2", "a"), ("m1", "b"), ("m2", "b")], result.Table().Select(r => (r["msg_ref"], r["topic"])));
    }

    [Fact]
    public void Run_FilterOnGroupField_AppliesItsRowRuleWithoutShowingIt() =>
        Assert.Equal(["sensor-1", "alice-phone", "alice-phone"], Mixed().Show("--client_id --qos=~.").Column("client_id"));

    [Fact]
    public void Run_AllDigitValueOnTextField_ComparesAsText() =>
        Assert.Equal(["alice-phone"], Mixed().Show("--client_id --topic=123").Column("client_id"));

    [Fact]
    public void Run_IntegerAndBooleanFields_CompareByType()
    {
        var store = Mixed();
        Assert.Equal(["sensor-1"], store.Show("--client_id --peer_port=50002").Column("client_id"));
        Assert.Equal(["alice-phone"], store.Show("--client_id --protocol=5").Column("client_id"));
        Assert.Equal(["sensor-2"], store.Show("--client_id --is_online=false").Column("client_id"));
        Assert.Equal(["no-subs"], store.Show("--client_id --clean_session=true").Column("client_id"));
        Assert.Equal(["alice-phone"], store.Show("--client_id --topic --qos=1").Column("client_id"));
    }

    [Fact]
    public void Run_UserUndefined_MatchesAnonymousAndOfflineQueues() =>
        Assert.Equal(["sensor-2", "sensor-1", "no-subs"], Mixed().Show("--user=undefined --client_id").Column("client_id"));

    [Fact]
    public void Run_UserName_MatchesOnlyThatUser() =>
        Assert.Equal(["alice-phone"], Mixed().Show("--user=alice --client_id").Column("client_id"));

    [Theory]
    [InlineData("--client_id=~ensor", "sensor-2 sensor-1")]
    [InlineData("--client_id=~^sensor-1$", "sensor-1")]
    [InlineData("--client_id=~SENSOR", "")]
    [InlineData("--client_id=~(?i)SENSOR", "sensor-2 sensor-1")]
    [InlineData("--peer_port=~^5000[13]$", "alice-phone")]
    [InlineData("--is_online=~^f", "sensor-2")]
    [InlineData("--payload=~^sec", "sensor-2")]
    [InlineData("--user=~.", "alice-phone")]
    public void Run_Regex_IsUnanchoredCaseSensitiveAndWorksOnRenderedValues(string filter, string clients)
    {
        var expected = clients.Length == 0 ? [] : clients.Split(' ');
        Assert.Equal(expected, Mixed().Show($"{filter} --client_id").Column("client_id").Distinct());
    }

    [Fact]
    public void Run_PayloadEquality_ComparesBytes() =>
        Assert.Equal(["m2"], Mixed().Show("--payload=second --msg_ref").Column("msg_ref"));

    [Fact]
    public void Run_IndexedLookups_GiveTheSameRowsAsScans()
    {
        var store = Mixed();
        store.Connect("sensor-1", 1, mountpoint: "other");
        store.Subscribe("sensor-1", "test/a", mountpoint: "other");

        Assert.Equal(store.Show("--client_id=~^sensor-1$ --mountpoint --topic").Table(), store.Show("--client_id=sensor-1 --mountpoint --topic").Table());
        Assert.Equal(store.Show("--topic=~^test/a$ --client_id --mountpoint").Table(), store.Show("--topic=test/a --client_id --mountpoint").Table());
        Assert.Equal(2, store.Show("--topic=test/a --client_id --mountpoint").Rows.Count);
    }

    [Fact]
    public void Run_Limit_CountsRowsNotSessions()
    {
        var result = Mixed().Show("--client_id --topic --limit=2");

        Assert.Equal([("sensor-1", "test/a"), ("alice-phone", "123")], result.Table().Select(r => (r["client_id"], r["topic"])));
        Assert.True(result.LimitReached);
    }

    [Fact]
    public void Run_LimitEqualToRows_IsNotReported() => Assert.False(Mixed().Show("--client_id --topic --limit=3").LimitReached);

    [Fact]
    public void Run_LimitZero_ReturnsNothingAndSaysTheLimitCut()
    {
        var result = Mixed().Show("--limit=0");
        Assert.Empty(result.Rows);
        Assert.True(result.LimitReached);
    }

    [Fact]
    public void Run_TwoNodes_LimitAppliesPerNode()
    {
        var (first, _) = TestStores.Create("node-b");
        var (second, _) = TestStores.Create("node-a");
        for (var i = 0; i < 5; i++)
        {
            first.Connect($"b{i}", i);
            second.Connect($"a{i}", i);
        }

        var result = QueryEngine.Run(QueryParser.ParseText("--node --client_id --limit=3").Value, [first, second]).Value;

        Assert.Equal(["node-a", "node-a", "node-a", "node-b", "node-b", "node-b"], result.Column("node"));
        Assert.Equal(["a4", "a3", "a2", "b4", "b3", "b2"], result.Column("client_id"));
        Assert.True(result.LimitReached);
    }

    [Fact]
    public void Run_QueueFields_HaveTheirShapes()
    {
        var row = Assert.Single(Mixed().Show("--client_id=alice-phone --queue_pid --session_pid --statename --num_sessions --queue_size --is_plugin --deliver_mode").Table());

        Assert.Matches(@"^<0\.\d+\.0>$", row["queue_pid"]);
        Assert.Matches(@"^<0\.\d+\.0>$", row["session_pid"]);
        Assert.NotEqual(row["queue_pid"], row["session_pid"]);
        Assert.Equal(("online", "1", "0", "false", "fanout"), (row["statename"], row["num_sessions"], row["queue_size"], row["is_plugin"], row["deliver_mode"]));
    }

    [Fact]
    public void Run_Mqtt5SubscriptionOptions_AreShown_Mqtt3AreMissing()
    {
        var (store, _) = TestStores.Create();
        store.Connect("v5", 1, protocol: 5);
        store.Apply(new SubscriptionAdded(TestStores.Key("v5"), new Subscription("a", 1, RetainAsPublished: true, NoLocal: false)));
        store.Connect("v3", 2, protocol: 4);
        store.Subscribe("v3", "a");

        var result = store.Show("--client_id --rap --no_local --topic");

        Assert.Equal(["v5", "v3"], result.Column("client_id"));
        Assert.Equal(["true", "undefined"], result.Column("rap"));
        Assert.Equal(["false", "undefined"], result.Column("no_local"));
    }

    [Fact]
    public async Task Run_CatastrophicPattern_FinishesInLinearTime()
    {
        var (store, _) = TestStores.Create();
        var hostile = new string('a', 20_000) + "!";
        store.Connect(hostile, 1);

        // A backtracking engine would take longer than the age of the universe here.
        var result = await Task.Run(() => store.Show("--client_id=~^(a+)+$"), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Empty(result.Rows);
    }

    [Fact]
    public void Run_QueryBuiltInCode_WithBadParts_ReturnsErrorsNotExceptions()
    {
        var store = Mixed();
        Assert.Equal("Invalid key: \"nope\"", QueryEngine.Run(new SessionQuery { Columns = ["nope"], Filters = [] }, store).Error);
        Assert.StartsWith("Invalid regular expression", QueryEngine.Run(new SessionQuery { Columns = [], Filters = [new("topic", FilterKind.Regex, "[")] }, store).Error);
        Assert.Equal("Invalid value for qos: \"x\" is not a whole number", QueryEngine.Run(new SessionQuery { Columns = [], Filters = [new("qos", FilterKind.Equal, "x")] }, store).Error);
        Assert.StartsWith("Invalid value for --limit", QueryEngine.Run(new SessionQuery { Columns = [], Filters = [], Limit = -1 }, store).Error);
    }
}
