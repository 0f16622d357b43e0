using System.Globalization;
using Dashboard.Core.Store;

namespace Dashboard.Bench;

/// <summary>
/// <c>gc-probe [N]</c>: how a young-generation collection's pause grows with the number of distinct
/// queues written since the last one, on a store of N queues (the cost of the old queue handles that
/// now point at new states). Each round applies 64,000 waiting-acks changes spread over K queues, then
/// collects generation 0 and reports its pause.
/// </summary>
internal static class GcProbe
{
    public static int Run(IReadOnlyList<string> args)
    {
        var queues = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var store = Workload.Build(queues);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Console.WriteLine($"{queues:N0} queues; GC: {Throughput.GcSettings()}");
        Console.WriteLine("| distinct queues written | events | gen0 pause ms (median of 5) |");
        Console.WriteLine("|---:|---:|---:|");
        const int Events = 64_000;
        var random = new Random(1);
        foreach (var distinct in (int[])[1_000, 8_000, 32_000, 64_000])
        {
            var pauses = new List<double>();
            for (var round = 0; round < 6; round++)
            {
                var events = new StoreEvent[Events];
                for (var i = 0; i < Events; i++)
                {
                    var client = (int)((long)random.Next(distinct) * queues / distinct);
                    events[i] = new WaitingAcksChanged(Workload.Key(client), round * Events + i + 1);
                }
                GC.Collect(0);
                for (var i = 0; i < Events; i += Workload.BatchSize)
                {
                    store.Apply(events.AsSpan(i, Math.Min(Workload.BatchSize, Events - i)));
                }
                var before = GC.GetTotalPauseDuration();
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                if (round > 0)
                {
                    pauses.Add((GC.GetTotalPauseDuration() - before).TotalMilliseconds);
                }
            }
            pauses.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {distinct:N0} | {Events:N0} | {pauses[pauses.Count / 2]:F1} |"));
        }
        GC.KeepAlive(store);
        return 0;
    }
}
