using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Store;

/// <summary>
/// Readers see a batch whole, and the states the store revises within a batch are never ones a reader
/// could hold (docs/store.md, "Batches").
/// </summary>
public class SessionStoreBatchTests
{
    private static readonly QueueKey Client1 = TestStores.Key("client1");

    private static SubscriptionAdded Subscribe(string clientId, string topic, int qos = 0) =>
        new(TestStores.Key(clientId), new Subscription(topic, qos));

    private static ClientConnected Connect(string clientId, int port) =>
        new(TestStores.Key(clientId), false, null, "127.0.0.1", port, 4);

    private static MessageQueued Queue(string clientId, string msgRef) =>
        new(TestStores.Key(clientId), new QueuedMessage(msgRef, 1, "a/b", false, "x"u8.ToArray()));

    [Fact]
    public void Apply_StateReadBeforeABatch_IsNotChangedByTheBatch()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        var before = store.Get(Client1)!;
        var version = before.Version;

        store.Apply([Subscribe("client1", "a/b"), Queue("client1", "m1"), Subscribe("client1", "c/d")]);

        Assert.Equal(version, before.Version);
        Assert.Empty(before.Subscriptions);
        Assert.Equal(0, before.Messages.Length);
        var after = store.Get(Client1)!;
        Assert.Equal(["a/b", "c/d"], after.Subscriptions.Select(s => s.Topic));
        Assert.Equal(["m1"], after.Messages.ToArray().Select(m => m.MsgRef));
    }

    [Fact]
    public void Apply_ReaderDuringABatch_SeesTheStoreAsBeforeIt()
    {
        // The store reads the clock while connecting a client: the reader runs there, mid-batch, after
        // client1's subscription was applied.
        var readerTime = new ReadingTimeProvider(TestStores.Create().Time);
        var store = new SessionStore("dev2@127.0.0.1", readerTime);
        store.Connect("client1", 1);
        var versionBefore = store.Version;
        readerTime.Reader = () => (store.Get(Client1)?.Subscriptions.Length, store.Version, store.Get(TestStores.Key("client2")));

        store.Apply([Subscribe("client1", "a/b"), Connect("client2", 2)]);

        var (subscriptions, version, client2) = Assert.Single(readerTime.Reads);
        Assert.Equal(0, subscriptions);
        Assert.Equal(versionBefore, version);
        Assert.Null(client2);
        Assert.Single(store.Get(Client1)!.Subscriptions);
        Assert.NotNull(store.Get(TestStores.Key("client2")));
    }

    [Fact]
    public void Apply_OneClientsEventsInOneBatch_ChangesCarryTheBatchsStateButPresenceChangesTheirOwn()
    {
        var (store, _) = TestStores.Create();
        var changes = new List<SessionChange>();
        store.Subscribe(batch => changes.AddRange(batch));

        store.Apply([Connect("client1", 1), Subscribe("client1", "a/b"), Subscribe("client1", "c/d"), new ClientDisconnected(Client1)]);

        Assert.Equal(
            [ChangeKind.Created, ChangeKind.Online, ChangeKind.Subscribed, ChangeKind.Subscribed, ChangeKind.Offline],
            changes.Select(c => c.Kind));
        var versions = changes.Select(c => c.Version).ToArray();
        Assert.Equal(versions.Length, versions.Distinct().Count());
        // Created, Online and both subscriptions: one online state with both topics.
        var online = changes[0].State!;
        Assert.All(changes.Take(4), change => Assert.Same(online, change.State));
        Assert.True(online.IsOnline);
        Assert.Equal(["a/b", "c/d"], online.Subscriptions.Select(s => s.Topic));
        // The disconnect wrote its own state: the Online change's state is still online.
        var offline = changes[4].State!;
        Assert.NotSame(online, offline);
        Assert.False(offline.IsOnline);
        Assert.Equal(["a/b", "c/d"], offline.Subscriptions.Select(s => s.Topic));
        Assert.Same(offline, store.Get(Client1));
        Assert.Equal((0L, 1L, 2L), (store.Counters.Online, store.Counters.Offline, store.Counters.Subscriptions));
    }

    [Fact]
    public void Apply_SnapshotOpenedBeforeABatch_ReadsTheQueueAsItWas()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        store.Subscribe("client1", "a/b");
        using var snapshot = store.OpenSnapshot();

        store.Apply([Subscribe("client1", "c/d"), Queue("client1", "m1"), Subscribe("client1", "e/f")]);

        var seen = snapshot.Find(Client1)!;
        Assert.Equal(["a/b"], seen.Subscriptions.Select(s => s.Topic));
        Assert.Equal(0, seen.Messages.Length);
        Assert.Equal(["a/b"], snapshot.Queues().Single().Subscriptions.Select(s => s.Topic));
        Assert.Equal(["a/b", "c/d", "e/f"], store.Show("--client_id --topic").Column("topic").Order());
    }

    [Fact]
    public void Apply_ClientGoesWithItsSession_ChangesNameItAndTheRemovalHasNoState()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1, clean: true);
        var changes = new List<SessionChange>();
        store.Subscribe(batch => changes.AddRange(batch));

        store.Apply([new ClientDisconnected(Client1)]);

        Assert.Equal([ChangeKind.Offline, ChangeKind.Removed], changes.Select(c => c.Kind));
        Assert.All(changes, change => Assert.Equal(Client1, change.Key));
        Assert.False(changes[0].State!.IsOnline);
        Assert.Null(changes[1].State);
        Assert.Null(store.Get(Client1));
    }

    /// <summary>A clock that runs a reader each time the store asks it the time.</summary>
    private sealed class ReadingTimeProvider(TimeProvider inner) : TimeProvider
    {
        public Func<(int?, long, QueueState?)>? Reader { get; set; }

        public List<(int?, long, QueueState?)> Reads { get; } = [];

        public override DateTimeOffset GetUtcNow()
        {
            if (Reader is { } reader)
            {
                Reads.Add(reader());
            }
            return inner.GetUtcNow();
        }
    }
}
