using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Store;

/// <summary>Queues of a mirrored broker (VerneMQ) applied as <see cref="QueueMirrored"/>: what each reports.</summary>
public class SessionStoreMirrorTests
{
    private static readonly QueueKey Client1 = TestStores.Key("client1");

    [Fact]
    public void Mirror_SameConnectionReadWithMoreDetail_UpdatedNotOnlineAgain()
    {
        var (store, _) = TestStores.Create();
        var changes = Record(store);
        // As a hook puts it: no pid, the protocol guessed.
        store.Apply(new QueueMirrored(Client1, Queue(new AttachedSession(0, "bob", "127.0.0.1", 40256, 4, 1000))));
        Assert.Equal([ChangeKind.Created, ChangeKind.Online], changes.Select(c => c.Kind));
        changes.Clear();

        // The read that follows: the same connection with its pid, its start as VerneMQ has it, and later acks waiting.
        store.Apply(new QueueMirrored(Client1, Queue(new AttachedSession(0, "bob", "127.0.0.1", 40256, 3, 998, 0, "<0.900.0>"))));
        store.Apply(new QueueMirrored(Client1, Queue(new AttachedSession(0, "bob", "127.0.0.1", 40256, 3, 998, 2, "<0.900.0>"))));

        Assert.Equal([ChangeKind.Updated, ChangeKind.Updated], changes.Select(c => c.Kind));
        Assert.Equal(("<0.900.0>", 3, 2), (store.Get(Client1)!.Sessions[0].Pid, store.Get(Client1)!.Sessions[0].Protocol, store.Get(Client1)!.Sessions[0].WaitingAcks));
    }

    [Theory]
    [InlineData(40257, "<0.900.0>")]
    [InlineData(40256, "<0.901.0>")]
    public void Mirror_AnotherConnectionWhileOnline_OnlineAgain(int port, string pid)
    {
        var (store, _) = TestStores.Create();
        store.Apply(new QueueMirrored(Client1, Queue(new AttachedSession(0, "bob", "127.0.0.1", 40256, 4, 1000, 0, "<0.900.0>"))));
        var changes = Record(store);

        store.Apply(new QueueMirrored(Client1, Queue(new AttachedSession(0, "bob", "127.0.0.1", port, 4, 2000, 0, pid))));

        Assert.Equal([ChangeKind.Online], changes.Select(c => c.Kind));
    }

    private static MirroredQueue Queue(AttachedSession session) =>
        new("vmq1@127.0.0.1", "<0.800.0>", 900, false, session, [], []);

    private static List<SessionChange> Record(SessionStore store)
    {
        var changes = new List<SessionChange>();
        store.Subscribe(batch => changes.AddRange(batch));
        return changes;
    }
}
