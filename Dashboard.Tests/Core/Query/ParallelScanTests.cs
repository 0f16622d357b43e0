using CsCheck;
using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Query;

/// <summary>
/// Full scans split across threads (<see cref="QueryEngine.ScanSettings"/>): the ranges' rows join in key
/// order, so a split scan returns exactly what the single-threaded one does, the limit included.
/// </summary>
public class ParallelScanTests
{
    // Split after a head of 64 queues whenever 100 are left, over 3 threads (12 ranges).
    private static readonly QueryEngine.ScanSettings Split = new(ParallelMinQueues: 100, SequentialHead: 64, MaxWorkers: 3);
    private static readonly QueryEngine.ScanSettings OneThread = Split with { MaxWorkers = 1 };

    /// <summary>5,000 clients c-0000 … c-4999, each subscribed to t/&lt;n&gt;/a and shared/&lt;n % 10&gt;.</summary>
    private static SessionStore Clients()
    {
        var (store, _) = TestStores.Create("node-a");
        var events = new List<StoreEvent>();
        for (var n = 0; n < 5000; n++)
        {
            var key = TestStores.Key($"c-{n:D4}");
            events.Add(new ClientConnected(key, false, null, "10.0.0.1", 1000 + n, 4));
            events.Add(new SubscriptionAdded(key, new Subscription($"t/{n}/a", 1)));
            events.Add(new SubscriptionAdded(key, new Subscription($"shared/{n % 10}", 0)));
        }
        store.Apply(events.ToArray());
        return store;
    }

    private static (QueryResult Result, int Ranges) Run(SessionStore store, string text, QueryEngine.ScanSettings settings)
    {
        var result = QueryEngine.Run(QueryParser.ParseText(text).Value, [store], settings, out var ranges);
        Assert.True(result.IsSuccess, result.Error);
        return (result.Value, ranges);
    }

    [Fact]
    public void SelectiveRegex_SplitScan_RowsInKeyOrder()
    {
        var (result, ranges) = Run(Clients(), @"--topic=~^t/\d*7/ --client_id --topic --limit=1000", Split);

        Assert.True(ranges > 1, "the scan was not split");
        // The clients whose number ends in 7, client ids descending (the key order), one row each.
        Assert.Equal(500, result.Rows.Count);
        Assert.False(result.LimitReached);
        Assert.Equal(["c-4997", "c-4987", "c-4977"], result.Column("client_id")[..3]);
        Assert.Equal(["c-0027", "c-0017", "c-0007"], result.Column("client_id")[^3..]);
        Assert.Equal(["t/4997/a", "t/4987/a"], result.Column("topic")[..2]);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"c-{4997 - 10 * i:D4}"), result.Column("client_id"));
    }

    [Fact]
    public void LimitCutInALaterRange_SplitScan_FirstRowsAndLimitReached()
    {
        // The head (c-4999 … c-4936) finds nothing, so the rest is split; the clients below 1000 all
        // match and the limit cuts inside one of the later ranges.
        var (result, ranges) = Run(Clients(), @"--topic=~^t/\d{1,3}/ --client_id --limit=250", Split);

        Assert.True(ranges > 1, "the scan was not split");
        Assert.True(result.LimitReached);
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"c-{999 - i:D4}"), result.Column("client_id"));
    }

    [Fact]
    public void LimitExactlyReached_NotCut()
    {
        var (result, _) = Run(Clients(), @"--topic=~^t/\d{1,3}/ --client_id --limit=1000", Split);

        Assert.Equal(1000, result.Rows.Count);
        Assert.False(result.LimitReached);
        Assert.Equal("c-0999", result.Column("client_id")[0]);
        Assert.Equal("c-0000", result.Column("client_id")[^1]);
    }

    [Fact]
    public void BroadMatch_StaysOnOneThread_LimitStopsTheScan()
    {
        // Every queue matches: at that rate the limit ends the scan early, so it is not split.
        var (result, ranges) = Run(Clients(), "--topic=~^shared/ --client_id --limit=100", Split);

        Assert.Equal(0, ranges);
        Assert.True(result.LimitReached);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"c-{4999 - i:D4}"), result.Column("client_id"));
    }

    [Fact]
    public void MirroredNodes_SplitScan_EachNodeItsOwnLimitInNodeOrder()
    {
        var (store, _) = TestStores.Create("mirror");
        var events = new List<StoreEvent>();
        for (var n = 0; n < 3000; n++)
        {
            var node = n % 2 == 0 ? "b@host" : "a@host";
            events.Add(new QueueMirrored(TestStores.Key($"m-{n:D4}"),
                new MirroredQueue(node, $"<0.{n}.0>", 1000, false, null, [new Subscription($"x/{n}", 0)], [])));
        }
        store.Apply(events.ToArray());

        // Odd numbers are on a@host, even ones on b@host; the head (m-2999 … m-2936) finds nothing.
        var (result, ranges) = Run(store, @"--topic=~^x/\d{1,3}$ --client_id --node --limit=250", Split);
        var sequential = Run(store, @"--topic=~^x/\d{1,3}$ --client_id --node --limit=250", OneThread).Result;

        Assert.True(ranges > 1, "the scan was not split");
        // 500 matches per node, 250 shown each: a@host's first, then b@host's.
        Assert.True(result.LimitReached);
        Assert.Equal(500, result.Rows.Count);
        Assert.Equal(["a@host", "b@host"], result.Column("node").Distinct());
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"m-{999 - 2 * i:D4}"), result.Column("client_id")[..250]);
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"m-{998 - 2 * i:D4}"), result.Column("client_id")[250..]);
        Assert.Equal(sequential.Rows, result.Rows);
    }

    private static readonly Gen<string> Query = Gen.Select(
        Gen.OneOf(@"^t/\d*7/", @"^t/1", "^shared/3", @"/a$", @"^t/\d{1,2}/", "^nothing", @"^t/4\d*9/", @"^shared/[0-4]$"),
        Gen.OneOf("--client_id --topic", "--client_id", "--client_id --is_online --topic"),
        Gen.Int[1, 3000],
        (pattern, columns, limit) => $"--topic=~{pattern} {columns} --limit={limit}");

    private static readonly SessionStore Shared = Clients();

    [Fact]
    public void AnyQuery_SplitAndOneThread_SameResult() =>
        Gen.Select(Query, Gen.Int[2, 6], Gen.Int[1, 200]).Sample((text, workers, head) =>
        {
            var split = Run(Shared, text, new QueryEngine.ScanSettings(ParallelMinQueues: 1, SequentialHead: head, MaxWorkers: workers)).Result;
            var single = Run(Shared, text, OneThread).Result;

            Assert.Equal(single.Columns, split.Columns);
            Assert.Equal(single.LimitReached, split.LimitReached);
            Assert.Equal(single.Rows, split.Rows);
        }, iter: 200);
}
