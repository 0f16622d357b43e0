using Dashboard.Core.Live;
using Dashboard.Core.Query;

namespace Dashboard.Tests.Core.Live;

public class SessionFeedTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    private static QueueMatcher Matcher(string query)
    {
        var matcher = QueueMatcher.Parse(query);
        Assert.True(matcher.IsSuccess, matcher.Error);
        return matcher.Value;
    }

    [Fact]
    public void Start_WithSessions_SendsSnapshotWithVersionThenCounters()
    {
        var (store, time) = TestStores.Create();
        store.Connect("client1", 1);
        store.Connect("client2", 2);
        var client = new RecordingClient();

        using var feed = new SessionFeed(store, QueueMatcher.All, client, time: time);
        time.Advance(Window);

        var snapshot = Assert.Single(client.Snapshots);
        Assert.Equal(store.Version, snapshot.Version);
        Assert.Equal(["client2", "client1"], snapshot.Sessions.Select(s => s.ClientId));
        Assert.IsType<SessionSnapshotMessage>(client.Messages.First());
        var counters = Assert.Single(client.CounterMessages);
        Assert.Equal((2L, store.Version), (counters.Online, counters.Version));
    }

    [Fact]
    public void Changes_AfterSnapshot_ContinueFromItsVersion()
    {
        var (store, time) = TestStores.Create();
        var client = new RecordingClient();
        using var feed = new SessionFeed(store, QueueMatcher.All, client, time: time);
        time.Advance(Window);
        var snapshot = Assert.Single(client.Snapshots);

        store.Connect("client1", 1);
        time.Advance(Window);
        store.Disconnect("client1");
        time.Advance(Window);

        var batches = client.Batches;
        Assert.Equal(2, batches.Count);
        Assert.Equal(snapshot.Version, batches[0].PreviousVersion);
        Assert.Equal(batches[0].Version, batches[1].PreviousVersion);
        Assert.Equal(store.Version, batches[1].Version);
        Assert.Equal([Presence.Online, Presence.Offline], client.ChangesOf("client1").Select(c => c.Presence));
    }

    [Fact]
    public void FlappingClient_WithinOneWindow_IsSentOnceWithLatestState()
    {
        var (store, time) = TestStores.Create();
        var client = new RecordingClient();
        using var feed = new SessionFeed(store, QueueMatcher.All, client, time: time);
        time.Advance(Window);

        for (var i = 0; i < 5; i++)
        {
            store.Connect("flappy", 1000 + i);
            store.Disconnect("flappy");
        }
        store.Connect("flappy", 2000);
        time.Advance(Window);

        var change = Assert.Single(client.ChangesOf("flappy"));
        Assert.Equal((FeedChangeKind.Online, (Presence?)Presence.Online, true), (change.Kind, change.Presence, change.State!.IsOnline));
        Assert.Equal(2000, change.State.PeerPort);
        Assert.Equal(store.Version, change.Version);
        Assert.True(change.Folded > 10, $"folded {change.Folded}");
    }

    [Fact]
    public void FilteredFeed_OtherSessionsChange_GetsOnlyMatchingOnes()
    {
        var (store, time) = TestStores.Create();
        store.Connect("sensor-1", 1);
        store.Connect("printer-1", 2);
        var client = new RecordingClient();
        using var feed = new SessionFeed(store, Matcher("--client_id=~^sensor-"), client, time: time);
        time.Advance(Window);

        store.Connect("sensor-2", 3);
        store.Connect("printer-2", 4);
        store.Subscribe("printer-1", "paper/#");
        store.Subscribe("sensor-1", "temp/#");
        time.Advance(Window);

        Assert.Equal(["sensor-1"], client.Snapshots.Single().Sessions.Select(s => s.ClientId));
        var changes = client.Batches.SelectMany(b => b.Changes).ToList();
        Assert.Equal(["sensor-1", "sensor-2"], changes.Select(c => c.ClientId).Order());
        Assert.Equal(FeedChangeKind.Subscribed, changes.Single(c => c.ClientId == "sensor-1").Kind);
    }

    [Fact]
    public void FilteredFeed_Counters_CountOnlyTheScope()
    {
        var (store, time) = TestStores.Create();
        store.Connect("sensor-1", 1);
        store.Connect("printer-1", 2);
        var client = new RecordingClient();
        using var feed = new SessionFeed(store, Matcher("--client_id=~^sensor-"), client, time: time);
        time.Advance(Window);

        store.Connect("sensor-2", 3);
        store.Connect("printer-2", 4);
        store.Subscribe("printer-1", "paper/#");
        store.Subscribe("sensor-1", "temp/#");
        store.Disconnect("printer-1");
        // Past the counter interval (1 s), so a second Counters message is due.
        time.Advance(TimeSpan.FromSeconds(1));

        // Written down from the scenario: sensor-1 at the start; then sensor-1 and sensor-2 online, one
        // subscription (temp/#); the printers are outside the scope whatever they do.
        Assert.Equal(2, client.CounterMessages.Count);
        var first = client.CounterMessages[0];
        Assert.Equal((1L, 0L, 0L), (first.Online, first.Offline, first.Subscriptions));
        var last = client.CounterMessages[1];
        Assert.Equal((2L, 0L, 1L), (last.Online, last.Offline, last.Subscriptions));
    }

    [Fact]
    public void FilteredFeed_SessionStopsMatching_IsSentAsLeavingTheScope()
    {
        var (store, time) = TestStores.Create();
        store.Connect("sensor-1", 1);
        var client = new RecordingClient();
        using var feed = new SessionFeed(store, Matcher("--is_online=true"), client, time: time);
        time.Advance(Window);

        store.Disconnect("sensor-1");
        time.Advance(Window);
        store.Subscribe("sensor-1", "a/b");
        time.Advance(Window);

        var change = Assert.Single(client.ChangesOf("sensor-1"));
        Assert.Equal((FeedChangeKind.Offline, false), (change.Kind, change.InScope));
    }

    [Fact]
    public void Storm_BeyondPendingCap_DropsPendingAndResyncsWithSnapshot()
    {
        var (store, time) = TestStores.Create();
        var client = new RecordingClient();
        using var feed = new SessionFeed(store, QueueMatcher.All, client, new SessionFeedOptions { MaxPendingSessions = 10 }, time: time);
        time.Advance(Window);

        for (var i = 0; i < 50; i++)
        {
            store.Connect($"storm-{i}", i, clean: true);
        }
        time.Advance(Window);

        Assert.Equal(2, client.Snapshots.Count);
        Assert.Empty(client.Batches);
        Assert.Equal(store.Version, client.Snapshots[1].Version);
        Assert.Equal(50, client.Snapshots[1].Sessions.Count);
    }

    [Fact]
    public void Counters_ManyWindows_SentOncePerInterval()
    {
        var (store, time) = TestStores.Create();
        var client = new RecordingClient();
        using var feed = new SessionFeed(store, QueueMatcher.All, client, time: time);

        for (var i = 0; i < 30; i++)
        {
            store.Connect($"c{i}", i);
            time.Advance(Window);
        }

        Assert.InRange(client.CounterMessages.Count, 3, 4);
        Assert.InRange(client.Batches.Count, 29, 30);
    }

    [Fact]
    public void Counters_FilteredFeed_CountScopeAndItsConnectsPerMinute()
    {
        var (store, time) = TestStores.Create();
        store.Connect("sensor-1", 1);
        store.Connect("printer-1", 2);
        var client = new RecordingClient();
        using var feed = new SessionFeed(store, Matcher("--client_id=~^sensor-"), client, time: time);
        time.Advance(Window);

        store.Connect("sensor-2", 3);
        store.Subscribe("sensor-2", "t/1");
        store.Disconnect("sensor-1");
        store.Connect("printer-2", 4);
        time.Advance(TimeSpan.FromSeconds(1));

        var counters = client.CounterMessages[^1];
        Assert.Equal((1L, 1L, 1L), (counters.Online, counters.Offline, counters.Subscriptions));
        Assert.Equal((1L, 1L), (counters.ConnectsLastMinute, counters.DisconnectsLastMinute));
    }

    [Fact]
    public void SlowClient_SendInFlight_NextChangesFoldUntilItCompletes()
    {
        var (store, time) = TestStores.Create();
        var client = new GatedClient();
        using var feed = new SessionFeed(store, QueueMatcher.All, client, time: time);
        client.Release();
        time.Advance(Window);
        client.Gate = new TaskCompletionSource();

        store.Connect("slow", 1);
        time.Advance(Window);
        for (var i = 0; i < 20; i++)
        {
            store.Connect("slow", 100 + i);
            store.Connect($"other-{i}", i);
            time.Advance(Window);
        }
        Assert.Equal(1, client.ChangeCalls);
        client.Release();
        time.Advance(Window);

        Assert.Equal(2, client.ChangeCalls);
        Assert.Equal(21, client.LastBatch!.Changes.Count);
    }

    private sealed class GatedClient : ISessionsClient
    {
        public TaskCompletionSource Gate { get; set; } = new();

        public int ChangeCalls { get; private set; }

        public SessionChangesMessage? LastBatch { get; private set; }

        public void Release() => Gate.TrySetResult();

        public Task Snapshot(SessionSnapshotMessage snapshot) => Task.CompletedTask;

        public Task Changes(SessionChangesMessage changes)
        {
            ChangeCalls++;
            LastBatch = changes;
            return Gate.Task;
        }

        public Task Counters(SessionCountersMessage counters) => Task.CompletedTask;
    }
}
