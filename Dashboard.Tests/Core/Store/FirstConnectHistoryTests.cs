using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Store;

/// <summary>
/// Clients connecting for the first time within one millisecond share one immutable connect history
/// (docs/store.md, "Garbage collection"); a later connect gives a client its own.
/// </summary>
public class FirstConnectHistoryTests
{
    private static readonly long Start = TestStores.Start.ToUnixTimeMilliseconds();

    private static ClientConnected Connect(string clientId, int port) =>
        new(TestStores.Key(clientId), false, null, "127.0.0.1", port, 4);

    [Fact]
    public void Connect_FirstConnectsInOneMillisecond_ShareOneHistory_ALaterConnectIsTheClientsOwn()
    {
        var (store, time) = TestStores.Create();
        store.Apply([Connect("a", 1), Connect("b", 2)]);

        var first = store.Get(TestStores.Key("a"))!.Connects!;
        Assert.Same(first, store.Get(TestStores.Key("b"))!.Connects);
        Assert.Equal([Start], first.Times.ToArray());

        time.Advance(TimeSpan.FromSeconds(1));
        store.Disconnect("a");
        store.Connect("a", 3);
        store.Connect("c", 4);

        Assert.Equal([Start, Start + 1_000], store.Get(TestStores.Key("a"))!.Connects!.Times.ToArray());
        Assert.Equal([Start], store.Get(TestStores.Key("b"))!.Connects!.Times.ToArray());
        Assert.Equal(2, store.Get(TestStores.Key("a"))!.Reconnects);
        Assert.Equal(1, store.Get(TestStores.Key("b"))!.Reconnects);
        // A first connect a second later has a history of its own time.
        Assert.Equal([Start + 1_000], store.Get(TestStores.Key("c"))!.Connects!.Times.ToArray());
    }
}
