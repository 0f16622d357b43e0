using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Store;

public class SessionStoreTests
{
    private static readonly QueueKey Client1 = TestStores.Key("client1");

    private static List<SessionChange> Record(SessionStore store)
    {
        var changes = new List<SessionChange>();
        store.Subscribe(batch => changes.AddRange(batch));
        return changes;
    }

    [Fact]
    public void Apply_Connect_CreatesOnlineQueueWithSession()
    {
        var (store, _) = TestStores.Create();
        var changes = Record(store);

        store.Connect("client1", 37094, user: "alice", protocol: 5);

        var queue = store.Get(Client1)!;
        Assert.True(queue.IsOnline);
        Assert.False(queue.CleanSession);
        Assert.Equal(TestStores.Start.ToUnixTimeMilliseconds(), queue.StartedAt);
        var session = Assert.Single(queue.Sessions);
        Assert.Equal(("alice", "127.0.0.1", 37094, 5), (session.User, session.PeerHost, session.PeerPort, session.Protocol));
        Assert.Equal([ChangeKind.Created, ChangeKind.Online], changes.Select(c => c.Kind));
        Assert.All(changes, c => Assert.Equal(Client1, c.Key));
    }

    [Fact]
    public void Apply_EveryChange_HasAHigherVersion()
    {
        var (store, _) = TestStores.Create();
        var changes = Record(store);

        store.Connect("client1", 1);
        store.Subscribe("client1", "a/b");
        store.Queue("client1", "m1", "a/b", "x");
        store.Disconnect("client1");
        store.Connect("client1", 2);

        var versions = changes.Select(c => c.Version).ToArray();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Length, versions.Distinct().Count());
        Assert.Equal(versions[^1], store.Version);
    }

    [Fact]
    public void Apply_PersistentDisconnect_KeepsQueueOfflineWithSubscriptionsAndMessages()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        store.Subscribe("client1", "a/b", qos: 1);
        var changes = Record(store);

        store.Disconnect("client1");
        store.Queue("client1", "m1", "a/b", "hello");

        var queue = store.Get(Client1)!;
        Assert.Equal(QueueStateName.Offline, queue.StateName);
        Assert.Empty(queue.Sessions);
        Assert.Equal("a/b", Assert.Single(queue.Subscriptions).Topic);
        Assert.Equal("m1", Assert.Single(queue.Messages).MsgRef);
        Assert.Equal([ChangeKind.Offline, ChangeKind.MessageQueued], changes.Select(c => c.Kind));
    }

    [Fact]
    public void Apply_CleanDisconnect_RemovesQueue()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1, clean: true);
        store.Subscribe("client1", "a/b");
        var changes = Record(store);

        store.Disconnect("client1");

        Assert.Null(store.Get(Client1));
        Assert.Equal([ChangeKind.Offline, ChangeKind.Removed], changes.Select(c => c.Kind));
        Assert.Null(changes[^1].State);
        Assert.Equal(0, store.Counters.Queues);
        Assert.Equal(0, store.Counters.Subscriptions);
    }

    [Fact]
    public void Apply_ReconnectPersistent_KeepsQueueIdAndStartTime_NewSession()
    {
        var (store, time) = TestStores.Create();
        store.Connect("client1", 1);
        var before = store.Get(Client1)!;
        store.Disconnect("client1");
        time.Advance(TimeSpan.FromSeconds(11));

        store.Connect("client1", 2);

        var after = store.Get(Client1)!;
        Assert.Equal(before.QueueId, after.QueueId);
        Assert.Equal(before.StartedAt, after.StartedAt);
        Assert.NotEqual(before.Sessions[0].SessionId, after.Sessions[0].SessionId);
        Assert.Equal(before.StartedAt + 11_000, after.Sessions[0].StartedAt);
    }

    [Fact]
    public void Apply_ReconnectWithCleanSession_StartsAFreshQueue()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        store.Subscribe("client1", "a/b");
        store.Disconnect("client1");
        store.Queue("client1", "m1", "a/b", "x");
        var before = store.Get(Client1)!;

        store.Connect("client1", 2, clean: true);

        var after = store.Get(Client1)!;
        Assert.NotEqual(before.QueueId, after.QueueId);
        Assert.Empty(after.Subscriptions);
        Assert.Empty(after.Messages);
        Assert.True(after.CleanSession);
    }

    [Fact]
    public void Apply_Subscriptions_KeptSortedAndReplacedBySameTopic()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        store.Subscribe("client1", "b");
        store.Subscribe("client1", "a", qos: 1);
        store.Subscribe("client1", "a", qos: 2);
        store.Apply(new SubscriptionRemoved(Client1, "b"));

        var subscription = Assert.Single(store.Get(Client1)!.Subscriptions);
        Assert.Equal(new Subscription("a", 2), subscription);
        Assert.Equal(1, store.Counters.Subscriptions);
    }

    [Fact]
    public void Apply_MessageDelivered_LeavesTheQueue()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        store.Queue("client1", "m1", "a", "1");
        store.Queue("client1", "m2", "a", "2");

        store.Apply(new MessageDelivered(Client1, "m1"));

        Assert.Equal("m2", Assert.Single(store.Get(Client1)!.Messages).MsgRef);
        Assert.Equal(1, store.Counters.QueuedMessages);
    }

    [Fact]
    public void Apply_EventsForUnknownQueue_ChangeNothing()
    {
        var (store, _) = TestStores.Create();
        var changes = Record(store);

        store.Disconnect("ghost");
        store.Subscribe("ghost", "a");
        store.Apply(new QueueRemoved(TestStores.Key("ghost")));
        store.Apply(new MessageDelivered(TestStores.Key("ghost"), "m"));

        Assert.Empty(changes);
        Assert.Equal(0, store.Version);
    }

    [Fact]
    public void Apply_WaitingAcks_UpdatesTheSession()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);

        store.Apply(new WaitingAcksChanged(Client1, 3));

        Assert.Equal(3, store.Get(Client1)!.Sessions[0].WaitingAcks);
    }

    [Fact]
    public void Counters_FollowOnlineOfflineSubscriptionsAndMessages()
    {
        var (store, _) = TestStores.Create();
        store.Connect("a", 1);
        store.Connect("b", 2);
        store.Connect("c", 3, clean: true);
        store.Subscribe("a", "x");
        store.Subscribe("a", "y");
        store.Disconnect("b");
        store.Queue("b", "m1", "x", "p");

        Assert.Equal(new StoreCounters(store.Version, 2, 1, 2, 1), store.Counters);
    }

    [Fact]
    public void Snapshot_ReadsOneVersion_WhileWritersGoOn()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        store.Subscribe("client1", "a");
        store.Connect("gone", 2, clean: true);

        using var snapshot = store.OpenSnapshot();
        store.Subscribe("client1", "b");
        store.Disconnect("client1");
        store.Disconnect("gone");
        store.Connect("later", 3);

        var seen = snapshot.Queues().ToList();
        Assert.Equal(["gone", "client1"], seen.Select(q => q.Key.ClientId));
        var client1 = seen.Single(q => q.Key.ClientId == "client1");
        Assert.True(client1.IsOnline);
        Assert.Equal(["a"], client1.Subscriptions.Select(s => s.Topic));
        Assert.Null(snapshot.Find(TestStores.Key("later")));
        Assert.Empty(snapshot.QueuesWithTopic("b"));

        using var fresh = store.OpenSnapshot();
        Assert.Equal(["later", "client1"], fresh.Queues().Select(q => q.Key.ClientId));
        Assert.Single(fresh.QueuesWithTopic("b"));
    }

    [Fact]
    public void Snapshot_StillSeesSubscriptionRemovedAfterIt()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        store.Subscribe("client1", "a");

        using var snapshot = store.OpenSnapshot();
        store.Apply(new SubscriptionRemoved(TestStores.Key("client1"), "a"));
        store.Connect("other", 2);

        Assert.Single(snapshot.QueuesWithTopic("a"));
        using var fresh = store.OpenSnapshot();
        Assert.Empty(fresh.QueuesWithTopic("a"));
    }

    [Fact]
    public void Snapshot_QueueRemovedRecreatedAndRemovedAgain_StaysVisibleToSnapshotsBetween()
    {
        var (store, _) = TestStores.Create();
        store.Connect("k", 1, clean: true);
        var oldest = store.OpenSnapshot();
        store.Disconnect("k");
        store.Connect("k", 2, clean: true);
        var between = store.OpenSnapshot();
        store.Disconnect("k");
        oldest.Dispose();

        store.Connect("other", 3);

        Assert.Contains("k", between.Queues().Select(q => q.Key.ClientId));
        Assert.NotNull(between.Find(TestStores.Key("k")));
        between.Dispose();
        store.Connect("k", 4, clean: true);
        store.Connect("other2", 5);
        using var fresh = store.OpenSnapshot();
        Assert.Equal(["other2", "other", "k"], fresh.Queues().Select(q => q.Key.ClientId));
        Assert.Equal(3, store.Counters.Online);
    }

    [Fact]
    public void Apply_NoSnapshotOpen_KeepsNoPreviousStates_OpenSnapshotKeepsWhatItNeeds()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        store.Subscribe("client1", "a");

        Assert.Null(store.Get(Client1)!.Older);

        using var snapshot = store.OpenSnapshot();
        store.Subscribe("client1", "b");
        Assert.NotNull(store.Get(Client1)!.Older);
        Assert.Equal(["a"], snapshot.Find(Client1)!.Subscriptions.Select(s => s.Topic));
    }

    [Fact]
    public void QueuesWithTopic_ManySubscribers_InKeyOrderAcrossChunks()
    {
        var (store, _) = TestStores.Create();
        var ids = Enumerable.Range(0, 700).Select(i => $"c{i * 7919 % 700:D3}").ToList();
        foreach (var id in ids)
        {
            store.Connect(id, 1);
            store.Subscribe(id, "shared/topic");
        }
        foreach (var id in ids.Where((_, i) => i % 5 == 0))
        {
            store.Apply(new SubscriptionRemoved(TestStores.Key(id), "shared/topic"));
        }

        using var snapshot = store.OpenSnapshot();
        var expected = ids.Where((_, i) => i % 5 != 0).Order(StringComparer.Ordinal).Reverse();
        Assert.Equal(expected, snapshot.QueuesWithTopic("shared/topic").Select(q => q.Key.ClientId));
        Assert.Equal(expected.Take(3), snapshot.QueuesWithTopic("shared/topic").Take(3).Select(q => q.Key.ClientId));
    }

    [Fact]
    public void FindClient_LooksInEveryMountpoint()
    {
        var (store, _) = TestStores.Create();
        store.Connect("c", 1, mountpoint: "tenant-b");
        store.Connect("c", 2);
        store.Connect("d", 3, mountpoint: "tenant-a");

        using var snapshot = store.OpenSnapshot();
        Assert.Equal(["", "tenant-b"], snapshot.FindClient("c").Select(q => q.Key.Mountpoint));
    }

    [Fact]
    public void Queues_ManyClients_InKeyOrderAcrossChunks()
    {
        var (store, _) = TestStores.Create();
        var ids = Enumerable.Range(0, 2000).Select(i => $"c{i * 7919 % 2000:D4}").ToList();
        foreach (var id in ids)
        {
            store.Connect(id, 1, clean: true);
        }
        foreach (var id in ids.Where((_, i) => i % 3 == 0))
        {
            store.Disconnect(id);
        }

        using var snapshot = store.OpenSnapshot();
        var expected = ids.Where((_, i) => i % 3 != 0).Order(StringComparer.Ordinal).Reverse();
        Assert.Equal(expected, snapshot.Queues().Select(q => q.Key.ClientId));
    }

    [Fact]
    public void Subscribe_ListenerThatThrows_DoesNotStopTheStore()
    {
        var (store, _) = TestStores.Create();
        store.Subscribe(_ => throw new InvalidOperationException("listener bug"));
        var changes = Record(store);

        store.Connect("client1", 1);

        Assert.NotNull(store.Get(Client1));
        Assert.Equal(2, changes.Count);
    }

    [Fact]
    public void Subscribe_Disposed_StopsCalls()
    {
        var (store, _) = TestStores.Create();
        var calls = 0;
        var subscription = store.Subscribe(_ => calls++);
        store.Connect("a", 1);
        subscription.Dispose();
        store.Connect("b", 1);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Apply_ConcurrentWritersAndReaders_EndConsistent()
    {
        var (store, _) = TestStores.Create();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var id = $"w{w}-{i % 300}";
                store.Connect(id, i, clean: i % 2 == 0);
                store.Subscribe(id, $"t/{i % 7}");
                if (i % 3 == 0)
                {
                    store.Disconnect(id);
                }
            }
        }));
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                using var snapshot = store.OpenSnapshot();
                var queues = snapshot.Queues().ToList();
                // Within one snapshot, keys are unique and in order.
                Assert.Equal(queues.Select(q => q.Key).Order(), queues.Select(q => q.Key));
                Assert.Equal(queues.Count, queues.Select(q => q.Key).Distinct().Count());
                Assert.All(queues, q => Assert.True(q.Version <= snapshot.Version));
            }
        }));
        await Task.WhenAll(writers.Concat(readers));

        using var final = store.OpenSnapshot();
        var all = final.Queues().ToList();
        Assert.Equal(all.Count(q => q.IsOnline), store.Counters.Online);
        Assert.Equal(all.Count(q => !q.IsOnline), store.Counters.Offline);
        Assert.Equal(all.Sum(q => q.Subscriptions.Length), store.Counters.Subscriptions);
        foreach (var topic in Enumerable.Range(0, 7).Select(t => $"t/{t}"))
        {
            var expected = all.Where(q => q.Subscriptions.Any(s => s.Topic == topic)).Select(q => q.Key);
            Assert.Equal(expected, final.QueuesWithTopic(topic).Select(q => q.Key));
        }
    }
}
