using Dashboard.Core.Sessions;

namespace Dashboard.Tests.Core.Sessions;

/// <summary>
/// A queue's messages share one array between successive states (docs/store.md, "Queued messages"):
/// every list keeps exactly the messages it was made with, whatever is added or removed from it later.
/// </summary>
public class MessageListTests
{
    private static QueuedMessage M(string msgRef) => new(msgRef, 1, "t/" + msgRef, false, new byte[] { 1 });

    private static string Refs(MessageList list) => string.Join(",", list.Select(m => m.MsgRef));

    [Fact]
    public void Add_ThenRemoveOldest_EachVersionKeepsItsOwnMessages()
    {
        var empty = MessageList.Empty;
        var one = empty.Add(M("a"));
        var two = one.Add(M("b"));
        var three = two.Add(M("c"));
        var fromSecond = three.RemoveAt(0);
        var four = fromSecond.Add(M("d"));

        Assert.Equal(("", "a", "a,b", "a,b,c", "b,c", "b,c,d"),
            (Refs(empty), Refs(one), Refs(two), Refs(three), Refs(fromSecond), Refs(four)));
    }

    [Fact]
    public void Add_TwiceToTheSameVersion_TheSecondDoesNotOverwriteTheFirst()
    {
        var two = MessageList.Empty.Add(M("a")).Add(M("b"));
        var withC = two.Add(M("c"));
        // A second branch from the same version (as after a store write that later lost to another).
        var withX = two.Add(M("x"));

        Assert.Equal(("a,b,c", "a,b,x", "a,b"), (Refs(withC), Refs(withX), Refs(two)));
    }

    [Fact]
    public void RemoveAt_FirstMiddleLastAndOnly_LeavesTheRestInOrder()
    {
        var list = MessageList.Create([M("a"), M("b"), M("c"), M("d")]);

        Assert.Equal(("b,c,d", "a,c,d", "a,b,c", ""),
            (Refs(list.RemoveAt(0)), Refs(list.RemoveAt(1)), Refs(list.RemoveAt(3)), Refs(MessageList.Create([M("z")]).RemoveAt(0))));
        Assert.Equal("a,b,c,e", Refs(list.RemoveAt(3).Add(M("e"))));
        Assert.Equal("a,b,c,d", Refs(list));
        Assert.Throws<ArgumentOutOfRangeException>(() => list.RemoveAt(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => list[-1]);
    }

    [Fact]
    public void Queue_ThousandsThroughASteadyDepth_StaysInOrderAndEqualsAFreshCopy()
    {
        var list = MessageList.Empty;
        var expected = new Queue<string>();
        for (var i = 0; i < 5_000; i++)
        {
            list = list.Add(M(i.ToString("d5", System.Globalization.CultureInfo.InvariantCulture)));
            expected.Enqueue(i.ToString("d5", System.Globalization.CultureInfo.InvariantCulture));
            if (expected.Count > 300)
            {
                list = list.RemoveAt(0);
                expected.Dequeue();
            }
        }

        Assert.Equal(string.Join(",", expected), Refs(list));
        Assert.Equal(300, list.Length);
        Assert.True(list == MessageList.Create(list.AsSpan()));
    }
}
