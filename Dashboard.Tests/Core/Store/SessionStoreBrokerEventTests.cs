using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Store;

/// <summary>The store events the broker adapter relies on beyond plain connect/disconnect.</summary>
public class SessionStoreBrokerEventTests
{
    private static readonly QueueKey Client1 = TestStores.Key("client1");

    [Fact]
    public void Apply_MessageDropped_LeavesQueueAndCounts()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        store.Queue("client1", "m1", "a", "1");
        store.Queue("client1", "m2", "a", "2");
        var kinds = new List<ChangeKind>();
        store.Subscribe(batch => kinds.AddRange(batch.Select(c => c.Kind)));

        store.Apply(new MessageDropped(Client1, "m1"));
        store.Disconnect("client1");
        store.Connect("client1", 2);

        var queue = store.Get(Client1)!;
        Assert.Equal(["m2"], queue.Messages.Select(m => m.MsgRef));
        Assert.Equal(1, queue.DroppedMessages);
        Assert.Equal(ChangeKind.MessageDropped, kinds[0]);
    }

    [Fact]
    public void Apply_DisconnectKeepQueue_OverridesCleanSession()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1, clean: true, protocol: 5);

        store.Apply(new ClientDisconnected(Client1, KeepQueue: true));

        var queue = store.Get(Client1)!;
        Assert.Equal(QueueStateName.Offline, queue.StateName);
        Assert.False(queue.CleanSession);
    }

    [Fact]
    public void Apply_DisconnectKeepQueueFalse_RemovesPersistentQueue()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);

        store.Apply(new ClientDisconnected(Client1, KeepQueue: false));

        Assert.Null(store.Get(Client1));
    }

    [Fact]
    public void Apply_ConnectStartFreshWithExpiry_DiscardsOldQueueButIsPersistent()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        store.Subscribe("client1", "a");
        store.Disconnect("client1");

        store.Apply(new ClientConnected(Client1, CleanSession: false, null, "127.0.0.1", 2, 5, StartFresh: true));

        var queue = store.Get(Client1)!;
        Assert.Empty(queue.Subscriptions);
        Assert.False(queue.CleanSession);
    }

    [Fact]
    public void Apply_QueueRemovedWhileOnline_ReportsOfflineThenRemoved()
    {
        var (store, _) = TestStores.Create();
        store.Connect("client1", 1);
        var kinds = new List<ChangeKind>();
        store.Subscribe(batch => kinds.AddRange(batch.Select(c => c.Kind)));

        store.Apply(new QueueRemoved(Client1));

        Assert.Equal([ChangeKind.Offline, ChangeKind.Removed], kinds);
        Assert.Equal(0, store.Counters.Online);
    }
}
