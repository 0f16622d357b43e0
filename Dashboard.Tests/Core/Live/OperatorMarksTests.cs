using Dashboard.Core.Live;
using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Core.Live;

/// <summary>
/// Flapping (more than 5 connects within 5 minutes by default) and queue health marks, as fields of the
/// query language and as the wall's rankings. Expected values are written down from the scenario.
/// </summary>
public class OperatorMarksTests
{
    private static void ConnectTimes(SessionStore store, FakeTimeProvider time, string clientId, int times, TimeSpan every, bool clean = false)
    {
        for (var i = 0; i < times; i++)
        {
            store.Connect(clientId, 1000 + i, clean: clean);
            time.Advance(every);
            store.Disconnect(clientId);
        }
    }

    [Fact]
    public void Flapping_SixConnectsWithinFiveMinutes_IsFlapping_FiveIsNot()
    {
        var (store, time) = TestStores.Create();
        ConnectTimes(store, time, "six", 6, TimeSpan.FromSeconds(20));
        ConnectTimes(store, time, "five", 5, TimeSpan.FromSeconds(20));

        var table = store.Show("--client_id --reconnects --flapping").Table();

        Assert.Equal(
            [
                new Dictionary<string, string> { ["client_id"] = "six", ["reconnects"] = "6", ["flapping"] = "true" },
                new Dictionary<string, string> { ["client_id"] = "five", ["reconnects"] = "5", ["flapping"] = "false" },
            ],
            table);
        Assert.Equal(["six"], store.Show("--client_id --flapping=true").Column("client_id"));
        // The live feed's summary (hub and wall) carries the flag and the count.
        var summary = SessionSummary.From(store.Get(TestStores.Key("six"))!);
        Assert.True(summary.Flapping);
        Assert.Equal(6, summary.Reconnects);
        Assert.False(SessionSummary.From(store.Get(TestStores.Key("five"))!).Flapping);
    }

    [Fact]
    public void Flapping_CleanSessionClient_KeepsCountingAcrossItsRemovedQueues()
    {
        var (store, time) = TestStores.Create();
        ConnectTimes(store, time, "clean", 6, TimeSpan.FromSeconds(10), clean: true);
        Assert.Null(store.Get(TestStores.Key("clean")));

        store.Connect("clean", 2000, clean: true);

        var row = Assert.Single(store.Show("--client_id=clean --reconnects --flapping").Table());
        Assert.Equal("7", row["reconnects"]);
        Assert.Equal("true", row["flapping"]);
    }

    [Fact]
    public void Flapping_WindowMovesOn_CountDropsWithoutAConnect()
    {
        var (store, time) = TestStores.Create();
        ConnectTimes(store, time, "c", 6, TimeSpan.FromSeconds(30));
        // The first connect was at 0 s, the sixth at 150 s; at 300 s + 1 ms the first has left the window.
        time.Advance(TimeSpan.FromSeconds(300 - 180) + TimeSpan.FromMilliseconds(1));

        var row = Assert.Single(store.Show("--client_id=c --reconnects --flapping").Table());
        Assert.Equal("5", row["reconnects"]);
        Assert.Equal("false", row["flapping"]);
    }

    [Fact]
    public void Flapping_ConfiguredThreshold_IsTheStoresPolicy()
    {
        var time = new FakeTimeProvider(TestStores.Start);
        var store = new SessionStore("n", time, flapping: new FlapPolicy(2, TimeSpan.FromSeconds(10), time));
        ConnectTimes(store, time, "c", 3, TimeSpan.FromSeconds(1));

        Assert.Equal(["3"], store.Show("--client_id=c --reconnects").Column("reconnects"));
        Assert.Equal(["c"], store.Show("--client_id --flapping=true").Column("client_id"));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(store.Show("--client_id --flapping=true").Rows);
    }

    [Fact]
    public void FlapMonitor_ListsTheWorstAndPublishesTheClientAgainWhenItCalms()
    {
        var (store, time) = TestStores.Create();
        using var monitor = new FlapMonitor(store, TimeSpan.FromHours(1));
        var updated = new List<QueueKey>();
        using var listener = store.Subscribe(changes => updated.AddRange(changes.Where(c => c.Kind == ChangeKind.Updated).Select(c => c.Key)));
        ConnectTimes(store, time, "a", 7, TimeSpan.FromSeconds(10));
        ConnectTimes(store, time, "b", 9, TimeSpan.FromSeconds(10));
        ConnectTimes(store, time, "calm", 3, TimeSpan.FromSeconds(10));

        Assert.Equal(2, monitor.Count);
        Assert.Equal([("b", 9), ("a", 7)], monitor.Worst(5).Select(c => (c.Key.ClientId, c.Reconnects)));
        Assert.Equal([("b", 9)], monitor.Worst(1).Select(c => (c.Key.ClientId, c.Reconnects)));

        time.Advance(TimeSpan.FromMinutes(5));
        monitor.Recheck();

        Assert.Equal(0, monitor.Count);
        Assert.Equal(["a", "b"], updated.Select(k => k.ClientId).Order());
        Assert.Equal("false", Assert.Single(store.Show("--client_id=b --flapping").Table())["flapping"]);
    }

    [Fact]
    public void Mirror_NewConnectionCounts_SameConnectionReadAgainDoesNot()
    {
        var (store, time) = TestStores.Create();
        var key = TestStores.Key("m");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        MirroredQueue Queue(string pid, long started) => new("node1", "<q>", now, false,
            new AttachedSession(1, null, "10.0.0.1", 5000, 4, started, 0, pid), [], []);

        store.Apply(new QueueMirrored(key, Queue("<s1>", now)));
        store.Apply(new QueueMirrored(key, Queue("<s1>", now) with { UnlistedMessages = 3 }));
        time.Advance(TimeSpan.FromSeconds(2));
        store.Apply(new QueueMirrored(key, Queue("<s2>", now + 2000)));

        Assert.Equal(["2"], store.Show("--client_id=m --reconnects").Column("reconnects"));
    }

    [Fact]
    public void QueueHealth_MarksQueuedInFlightAndDropped_AtTheirThresholds()
    {
        var time = new FakeTimeProvider(TestStores.Start);
        var store = new SessionStore("n", time, health: new QueueHealthPolicy(Queued: 3, InFlight: 2, Dropped: 1));
        foreach (var client in new[] { "two", "three", "acks", "dropped" })
        {
            store.Connect(client, 1);
        }
        for (var i = 0; i < 2; i++)
        {
            store.Queue("two", $"t{i}", "a", "x");
            store.Queue("dropped", $"d{i}", "a", "x");
        }
        for (var i = 0; i < 3; i++)
        {
            store.Queue("three", $"h{i}", "a", "x");
        }
        store.Apply(new WaitingAcksChanged(TestStores.Key("acks"), 2));
        store.Apply(new MessageDropped(TestStores.Key("dropped"), "d0"));

        Assert.Equal(
            [
                new Dictionary<string, string> { ["client_id"] = "two", ["queue_over_threshold"] = "false", ["dropping"] = "false" },
                new Dictionary<string, string> { ["client_id"] = "three", ["queue_over_threshold"] = "true", ["dropping"] = "false" },
                new Dictionary<string, string> { ["client_id"] = "dropped", ["queue_over_threshold"] = "false", ["dropping"] = "true" },
                new Dictionary<string, string> { ["client_id"] = "acks", ["queue_over_threshold"] = "true", ["dropping"] = "false" },
            ],
            store.Show("--client_id --queue_over_threshold --dropping").Table());

        // Delivering one message brings "three" back under its threshold.
        store.Apply(new MessageDelivered(TestStores.Key("three"), "h0"));
        Assert.Equal(["false"], store.Show("--client_id=three --queue_over_threshold").Column("queue_over_threshold"));
    }

    [Fact]
    public void QueueHealthPolicy_ForLimit_TakesTheShareRoundedUp()
    {
        Assert.Equal(new QueueHealthPolicy(800, 100, 1), QueueHealthPolicy.ForLimit(1000));
        Assert.Equal(new QueueHealthPolicy(9, 5, 2), QueueHealthPolicy.ForLimit(10, 85, 5, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => QueueHealthPolicy.ForLimit(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => QueueHealthPolicy.ForLimit(10, 101));
    }

    [Fact]
    public void Largest_RanksBySizeThenRowOrder_SkipsEmptyQueues_AndHonoursTheScope()
    {
        var (store, _) = TestStores.Create();
        foreach (var (client, messages) in new[] { ("a", 0), ("b", 5), ("c", 2), ("d", 5), ("e", 1) })
        {
            store.Connect(client, 1, user: client == "c" ? "special" : null);
            for (var i = 0; i < messages; i++)
            {
                store.Queue(client, $"{client}{i}", "t", "x");
            }
        }

        // Equal sizes keep the grid's row order: client ids descending.
        Assert.Equal([("d", 5L), ("b", 5L), ("c", 2L)], QueueRanking.Largest(store, QueueMatcher.All, 3).Select(q => (q.Key.ClientId, q.Messages)));
        Assert.Equal([("d", 5L), ("b", 5L), ("c", 2L), ("e", 1L)], QueueRanking.Largest(store, QueueMatcher.All, 10).Select(q => (q.Key.ClientId, q.Messages)));
        var scoped = QueueMatcher.Parse("--user=special").Value;
        Assert.Equal([("c", 2L)], QueueRanking.Largest(store, scoped, 3).Select(q => (q.Key.ClientId, q.Messages)));
    }
}
