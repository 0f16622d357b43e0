using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Store;

/// <summary>
/// A walk of the sorted index continues from where its last copy stopped while the index is unchanged
/// (<see cref="IndexCursor"/>), and searches by key again when queues came or went in between.
/// </summary>
public class IndexWalkTests
{
    private static QueueHandle Handle(int n) => new(new QueueKey("", $"q-{n:D4}"));

    private static SortedQueueIndex Index(int count)
    {
        var index = new SortedQueueIndex();
        for (var n = 0; n < count; n++)
        {
            index.Insert(Handle(n));
        }
        return index;
    }

    private static List<string> CopyAll(SortedQueueIndex index, int size, IndexCursor? cursor, Action<int>? between = null)
    {
        var seen = new List<string>();
        var buffer = new QueueHandle[size];
        QueueKey? after = null;
        for (var call = 0; ; call++)
        {
            between?.Invoke(call);
            var count = index.CopyAfter(after, buffer, cursor);
            if (count == 0)
            {
                return seen;
            }
            seen.AddRange(buffer[..count].Select(h => h.Key.ClientId));
            after = buffer[count - 1].Key;
        }
    }

    [Fact]
    public void CopyAfter_WithCursor_SameHandlesAsSearchingEachTime()
    {
        // 1,000 handles in chunks of up to 256, copied 100 at a time: copies end inside and across chunks.
        var index = Index(1000);

        var withCursor = CopyAll(index, 100, new IndexCursor());
        var searching = CopyAll(index, 100, cursor: null);

        Assert.Equal(Enumerable.Range(0, 1000).Select(n => $"q-{999 - n:D4}"), withCursor);
        Assert.Equal(searching, withCursor);
    }

    [Fact]
    public void CopyAfter_IndexChangedBetweenCopies_FindsItsPlaceByKey()
    {
        var index = Index(1000);

        // Between copies: a handle before the walk's position goes, one after it comes, one at the front comes.
        var seen = CopyAll(index, 100, new IndexCursor(), call =>
        {
            if (call == 3)
            {
                index.Remove(new QueueKey("", "q-0990"));
                index.Insert(Handle(5000));
                index.Insert(new QueueHandle(new QueueKey("", "q-0100x")));
            }
        });

        // Three copies (q-0999 … q-0700) came before the change: q-0990 was already seen, q-5000 sorts
        // first (already passed), q-0100x is ahead, right before q-0100 (client ids descending).
        Assert.Equal(1001, seen.Count);
        Assert.Equal("q-0999", seen[0]);
        Assert.Equal(["q-0101", "q-0100x", "q-0100"], seen.SkipWhile(id => id != "q-0101").Take(3));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public void Snapshot_WritesDuringTheWalk_SeesExactlyItsVersionInKeyOrder()
    {
        var (store, _) = TestStores.Create();
        for (var n = 0; n < 1000; n++)
        {
            store.Connect($"q-{n:D4}", n + 1);
        }
        using var snapshot = store.OpenSnapshot();
        var seen = new List<string>();

        foreach (var queue in snapshot.Queues())
        {
            seen.Add(queue.Key.ClientId);
            if (seen.Count == 300)
            {
                // New queues on both sides of the walk's position, one already walked and one ahead removed.
                store.Connect("q-9999", 1);
                store.Connect("q-0001x", 1);
                store.Apply(new QueueRemoved(TestStores.Key("q-0500")));
                store.Apply(new QueueRemoved(TestStores.Key("q-0998")));
            }
        }

        Assert.Equal(Enumerable.Range(0, 1000).Select(n => $"q-{999 - n:D4}"), seen);
    }
}
