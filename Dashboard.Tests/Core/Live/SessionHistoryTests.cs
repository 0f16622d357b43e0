using Dashboard.Core.Live;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Live;

public class SessionHistoryTests
{
    private static readonly long StartMs = TestStores.Start.ToUnixTimeMilliseconds();

    [Fact]
    public void For_PersistentClientFlaps_RecordsCreatedOnlineOfflineWithTimes()
    {
        var (store, time) = TestStores.Create();
        using var history = new SessionHistory(store, time);

        store.Connect("client1", 1001);
        time.Advance(TimeSpan.FromSeconds(5));
        store.Disconnect("client1");
        time.Advance(TimeSpan.FromSeconds(7));
        store.Connect("client1", 1002);

        Assert.Equal(
            [
                new SessionEvent(StartMs, SessionEventKind.Created),
                new SessionEvent(StartMs, SessionEventKind.Online),
                new SessionEvent(StartMs + 5_000, SessionEventKind.Offline),
                new SessionEvent(StartMs + 12_000, SessionEventKind.Online),
            ],
            history.For(TestStores.Key("client1")));
    }

    [Fact]
    public void For_CleanSessionDisconnects_KeepsHistoryEndingInRemoved()
    {
        var (store, time) = TestStores.Create();
        using var history = new SessionHistory(store, time);

        store.Connect("client1", 1001, clean: true);
        store.Subscribe("client1", "a/b");
        store.Disconnect("client1");

        Assert.Null(store.Get(TestStores.Key("client1")));
        Assert.Equal(
            [SessionEventKind.Created, SessionEventKind.Online, SessionEventKind.Offline, SessionEventKind.Removed],
            history.For(TestStores.Key("client1")).Select(e => e.Kind));
    }

    [Fact]
    public void For_SubscriptionsAndMessages_AreNotHistory()
    {
        var (store, time) = TestStores.Create();
        using var history = new SessionHistory(store, time);
        store.Connect("client1", 1001);

        store.Subscribe("client1", "a/b");
        store.Queue("client1", "m1", "a/b", "hello");
        store.Apply(new WaitingAcksChanged(TestStores.Key("client1"), 3));

        Assert.Equal([SessionEventKind.Created, SessionEventKind.Online], history.For(TestStores.Key("client1")).Select(e => e.Kind));
    }

    [Fact]
    public void For_KeyedByMountpointAndClientId()
    {
        var (store, time) = TestStores.Create();
        using var history = new SessionHistory(store, time);

        store.Connect("client1", 1001, mountpoint: "plant");

        Assert.Empty(history.For(TestStores.Key("client1")));
        Assert.Equal(2, history.For(TestStores.Key("client1", "plant")).Count);
        Assert.Empty(history.For(TestStores.Key("unknown")));
    }

    [Fact]
    public void For_MoreEventsThanPerClientBound_KeepsTheNewestInOrder()
    {
        var (store, time) = TestStores.Create();
        using var history = new SessionHistory(store, time, perClient: 5);

        store.Connect("client1", 1000);
        for (var i = 1; i <= 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            store.Disconnect("client1");
            time.Advance(TimeSpan.FromSeconds(1));
            store.Connect("client1", 1000 + i);
        }

        var events = history.For(TestStores.Key("client1"));
        Assert.Equal(5, events.Count);
        Assert.Equal(StartMs + 40_000, events[^1].At);
        Assert.Equal(SessionEventKind.Online, events[^1].Kind);
        Assert.Equal([.. events.Select(e => e.At).Order()], events.Select(e => e.At));
        Assert.Equal(
            [SessionEventKind.Online, SessionEventKind.Offline, SessionEventKind.Online, SessionEventKind.Offline, SessionEventKind.Online],
            events.Select(e => e.Kind));
    }

    [Fact]
    public void For_MoreClientsThanBound_ForgetsTheLeastRecentlyChanged()
    {
        var (store, time) = TestStores.Create();
        using var history = new SessionHistory(store, time, maxClients: 3);
        store.Connect("a", 1);
        store.Connect("b", 2);
        store.Connect("c", 3);

        // "a" changes again, so "b" is now the least recently changed.
        store.Disconnect("a");
        store.Connect("d", 4);

        Assert.Equal(3, history.ClientCount);
        Assert.Empty(history.For(TestStores.Key("b")));
        Assert.Equal(3, history.For(TestStores.Key("a")).Count);
        Assert.NotEmpty(history.For(TestStores.Key("c")));
        Assert.NotEmpty(history.For(TestStores.Key("d")));
    }

    [Fact]
    public void Record_ManyFlappingClients_StaysWithinBothBounds()
    {
        var (store, time) = TestStores.Create();
        using var history = new SessionHistory(store, time, perClient: 4, maxClients: 100);

        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 1_000; i++)
            {
                store.Connect($"flapper-{i}", i);
                store.Disconnect($"flapper-{i}");
            }
        }
        for (var i = 0; i < 10; i++)
        {
            store.Connect("flapper-999", i);
            store.Disconnect("flapper-999");
        }

        Assert.Equal(100, history.ClientCount);
        Assert.Equal(4, history.For(TestStores.Key("flapper-999")).Count);
        // Evicted in every round before it came back: only its latest round is known.
        Assert.Equal([SessionEventKind.Online, SessionEventKind.Offline], history.For(TestStores.Key("flapper-998")).Select(e => e.Kind));
        Assert.Empty(history.For(TestStores.Key("flapper-0")));
    }

    [Fact]
    public void Dispose_StopsRecording()
    {
        var (store, time) = TestStores.Create();
        var history = new SessionHistory(store, time);

        history.Dispose();
        store.Connect("client1", 1001);

        Assert.Empty(history.For(TestStores.Key("client1")));
    }
}
