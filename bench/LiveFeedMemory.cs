using System.Diagnostics;
using System.Globalization;
using Dashboard.Core.Live;
using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Bench;

/// <summary>
/// A change storm through the store and the live feeds, in process: <c>live-memory [--rate=10000]
/// [--seconds=60] [--feeds=20]</c>. Half the feeds have consumers that take 200 ms per send (a slow
/// browser or a congested hub connection); one in four feeds is scoped by a regex. Every 5 s the
/// managed heap is measured after a full collection: it must stay flat, however long the storm.
/// </summary>
internal static class LiveFeedMemory
{
    public static int Run(string[] args)
    {
        var rate = int.Parse(Arg(args, "rate") ?? "10000", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Arg(args, "seconds") ?? "60", CultureInfo.InvariantCulture);
        var feedCount = int.Parse(Arg(args, "feeds") ?? "20", CultureInfo.InvariantCulture);
        const int ClientIds = 20_000;

        var store = new SessionStore("bench@127.0.0.1");
        using var activity = new SessionActivity(store);
        var scope = QueueMatcher.Parse("--client_id=~^c-1").Value;
        var consumers = Enumerable.Range(0, feedCount).Select(i => new CountingClient(i % 2 == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(200))).ToArray();
        var feeds = consumers.Select((c, i) => new SessionFeed(store, i % 4 == 3 ? scope : QueueMatcher.All, c, activity: activity)).ToArray();

        Console.WriteLine($"{rate} changes/s for {seconds} s, {feedCount} feeds ({feedCount / 2} with 200 ms sends), {ClientIds} client ids");
        Console.WriteLine("| s | changes applied | heap after GC MB | batches sent | snapshots sent |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        var online = new bool[ClientIds];
        var clock = Stopwatch.StartNew();
        long applied = 0;
        var next = 0;
        var nextReport = TimeSpan.Zero;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            if (clock.Elapsed >= nextReport)
            {
                Report(clock.Elapsed, applied, consumers);
                nextReport += TimeSpan.FromSeconds(5);
            }
            var due = (long)(clock.Elapsed.TotalSeconds * rate);
            while (applied < due)
            {
                // Connect and disconnect alternate per client id: one store change each (plus created/removed).
                var id = next++ % ClientIds;
                var key = new QueueKey("", "c-" + id.ToString(CultureInfo.InvariantCulture));
                store.Apply(online[id]
                    ? new ClientDisconnected(key)
                    : new ClientConnected(key, CleanSession: true, User: null, PeerHost: "127.0.0.1", PeerPort: 1000 + id % 60000, Protocol: 5));
                online[id] = !online[id];
                applied++;
            }
            Thread.Sleep(1);
        }
        Report(clock.Elapsed, applied, consumers);
        foreach (var feed in feeds)
        {
            feed.Dispose();
        }
        return 0;
    }

    private static void Report(TimeSpan at, long applied, CountingClient[] consumers)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var heap = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {at.TotalSeconds:F0} | {applied} | {heap:F1} | {consumers.Sum(c => c.Batches)} | {consumers.Sum(c => c.Snapshots)} |"));
    }

    private static string? Arg(string[] args, string name) =>
        args.FirstOrDefault(a => a.StartsWith($"--{name}=", StringComparison.Ordinal))?[(name.Length + 3)..];

    private sealed class CountingClient(TimeSpan sendTime) : ISessionsClient
    {
        private long _batches, _snapshots;

        public long Batches => Interlocked.Read(ref _batches);

        public long Snapshots => Interlocked.Read(ref _snapshots);

        public Task Snapshot(SessionSnapshotMessage snapshot)
        {
            Interlocked.Increment(ref _snapshots);
            return Send();
        }

        public Task Changes(SessionChangesMessage changes)
        {
            Interlocked.Increment(ref _batches);
            return Send();
        }

        public Task Counters(SessionCountersMessage counters) => Send();

        private Task Send() => sendTime == TimeSpan.Zero ? Task.CompletedTask : Task.Delay(sendTime);
    }
}
