using System.Globalization;
using Dashboard.Core.Store;

namespace Dashboard.Bench;

/// <summary>
/// <c>memory [N...]</c>: managed heap bytes per queue, from <see cref="GC.GetTotalMemory(bool)"/> with a
/// full collection before and after building a store (events are not kept, so only the store counts).
/// </summary>
internal static class MemoryUse
{
    public static int Run(IReadOnlyList<string> args)
    {
        var options = Options.Parse(args);
        Console.WriteLine("| N queues | subscriptions/queue | built with | store bytes | bytes/queue | bytes/queue without previous states | GC heap after build |");
        Console.WriteLine("|---:|---:|---|---:|---:|---:|---:|");
        foreach (var queues in options.Queues)
        {
            Measure(queues, 3, Workload.BatchSize);
            Measure(queues, 3, 1);
            Measure(queues, 0, Workload.BatchSize);
            Measure(queues, 3, Workload.BatchSize, steadyEvents: 1_000_000);
            Measure(queues, 3, 1, steadyEvents: 1_000_000);
        }
        return 0;
    }

    private static void Measure(int queues, int subscriptions, int batchSize, int steadyEvents = 0)
    {
        // The steady mix is created first and stays alive through both measurements, so it is not counted.
        var mix = steadyEvents > 0 ? Workload.SteadyMix(queues, steadyEvents) : [];
        var before = Settled();
        var store = Workload.Build(queues, subscriptions, batchSize);
        for (var i = 0; i < mix.Length; i += batchSize)
        {
            store.Apply(mix.AsSpan(i, Math.Min(batchSize, mix.Length - i)));
        }
        var built = Settled() - before;
        var heap = GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;
        // The store links each queue's current state to the one it replaced (for snapshots opened
        // meanwhile). Dropping those links shows what that history costs when no snapshot is open.
        DropPreviousStates(store);
        var trimmed = Settled() - before;
        GC.KeepAlive(store);
        GC.KeepAlive(mix);
        var builtWith = (batchSize > 1 ? $"batches of {batchSize}" : "single events") +
            (steadyEvents > 0 ? $", then {steadyEvents:N0} steady-mix events" : "");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {queues:N0} | {subscriptions} | {builtWith} | {built:N0} | {(double)built / queues:N0} | {(double)trimmed / queues:N0} | {heap:N0} |"));
    }

    private static void DropPreviousStates(SessionStore store)
    {
        using var snapshot = store.OpenSnapshot();
        foreach (var queue in snapshot.Queues())
        {
            queue.Older = null;
        }
    }

    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
