using System.Diagnostics;
using System.Globalization;
using Dashboard.Core.Store;

namespace Dashboard.Bench;

/// <summary>
/// <c>throughput [N...] [--reps=R]</c>: events per second applied to a store, timed with a Stopwatch.
/// Events are created beforehand so only <see cref="SessionStore.Apply(ReadOnlySpan{StoreEvent})"/> is timed.
/// </summary>
internal static class Throughput
{
    private static int SteadyEvents = 1_000_000;

    public static int Run(IReadOnlyList<string> args)
    {
        // --modes=batch-listener (what the app does: batches, with listeners) runs that mode only.
        // --steady=N applies N steady-mix events per run (default 1M): more runs through more collections.
        var only = args.FirstOrDefault(a => a.StartsWith("--modes=", StringComparison.Ordinal))?["--modes=".Length..];
        if (args.FirstOrDefault(a => a.StartsWith("--steady=", StringComparison.Ordinal)) is { } steady)
        {
            SteadyEvents = int.Parse(steady["--steady=".Length..].Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        }
        var options = Options.Parse([.. args.Where(a => !a.StartsWith("--modes=", StringComparison.Ordinal) && !a.StartsWith("--steady=", StringComparison.Ordinal))]);
        if (only is not null)
        {
            Modes = [.. AllModes.Where(m => only.Split(',').Contains(Name(m)))];
        }
        Console.WriteLine($"Throughput, {options.Reps} runs each; best and median of runs. Batches of {Workload.BatchSize}.");
        Console.WriteLine($"GC: {GcSettings()}");
        Console.WriteLine("(ev/s = events per wall-clock second; per CPU-s = events per second of this process's CPU time,");
        Console.WriteLine(" GC threads included, which the other engineers' load on the two cores disturbs far less.)");
        Console.WriteLine("| scenario | N queues | events | apply | listener | best ev/s | median ev/s | median ev per CPU-s | alloc B/event | gen0/1/2 GCs (median run) | GC pause % (median run) | longest pause ms (median run) |");
        Console.WriteLine("|---|---:|---:|---|---|---:|---:|---:|---:|---|---:|---:|");
        WarmUp();
        foreach (var queues in options.Queues)
        {
            var build = Workload.ConnectAndSubscribe(queues);
            foreach (var (batch, listener) in Modes)
            {
                Report("build: connect + 3 subscribes", queues, build.Length, batch, listener,
                    Repeat(options.Reps, () => Time(new SessionStore(Workload.Node), build, batch, listener)));
            }
            build = null!;
            var store = Workload.Build(queues);
            var mix = Workload.SteadyMix(queues, SteadyEvents);
            foreach (var (batch, listener) in Modes)
            {
                Report("steady mix on existing store", queues, mix.Length, batch, listener,
                    Repeat(options.Reps, () => Time(store, mix, batch, listener)));
            }
            GC.KeepAlive(store);
        }
        return 0;
    }

    /// <summary>Runs every path once untimed, so the first measurement does not time tier-0 JIT code.</summary>
    private static void WarmUp()
    {
        var build = Workload.ConnectAndSubscribe(20_000);
        var mix = Workload.SteadyMix(20_000, 200_000);
        foreach (var (batch, listener) in Modes)
        {
            var store = new SessionStore(Workload.Node);
            Time(store, build, batch, listener);
            Time(store, mix, batch, listener);
        }
    }

    private static readonly (int Batch, bool Listener)[] AllModes = [(1, false), (Workload.BatchSize, false), (1, true), (Workload.BatchSize, true)];

    private static (int Batch, bool Listener)[] Modes = AllModes;

    private static string Name((int Batch, bool Listener) mode) => (mode.Batch == 1 ? "single" : "batch") + (mode.Listener ? "-listener" : "");

    /// <summary>The GC this process runs with: server or workstation, concurrent, DATAS, gen0 size, heaps.</summary>
    internal static string GcSettings()
    {
        var config = GC.GetConfigurationVariables();
        string Get(string name) => config.TryGetValue(name, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "" : "?";
        return $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, concurrent={Get("ConcurrentGC")}, " +
            $"DATAS (GCDynamicAdaptationMode)={Get("GCDynamicAdaptationMode")}, heaps={Get("HeapCount")}, " +
            $"GCGen0MaxBudget={Get("GCGen0MaxBudget")}, TieredPGO={(AppContext.GetData("System.Runtime.TieredPGO") ?? "default")}";
    }

    private static List<Sample> Repeat(int reps, Func<Sample> run)
    {
        var runs = new List<Sample>();
        for (var i = 0; i < reps; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            runs.Add(run());
        }
        return runs;
    }

    private static Sample Time(SessionStore store, StoreEvent[] events, int batch, bool listener)
    {
        long changes = 0;
        using var subscription = listener ? store.Subscribe(c => changes += c.Count) : null;
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var pausedBefore = GC.GetTotalPauseDuration();
        var longest = 0.0;
        var lastGc = GC.GetGCMemoryInfo(GCKind.Any).Index;
        var gcCount = GC.CollectionCount(0);
        var started = Stopwatch.GetTimestamp();
        if (batch == 1)
        {
            foreach (var storeEvent in events)
            {
                store.Apply(storeEvent);
            }
        }
        else
        {
            for (var i = 0; i < events.Length; i += batch)
            {
                store.Apply(events.AsSpan(i, Math.Min(batch, events.Length - i)));
                if (GC.CollectionCount(0) is var count && count != gcCount)
                {
                    // A collection happened during this batch: note its pause (the app's worst stall).
                    gcCount = count;
                    var info = GC.GetGCMemoryInfo(GCKind.Any);
                    if (info.Index != lastGc)
                    {
                        lastGc = info.Index;
                        longest = Math.Max(longest, info.PauseDurations[0].TotalMilliseconds + info.PauseDurations[1].TotalMilliseconds);
                    }
                }
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var gcs = $"{GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}";
        return new Sample(events.Length / elapsed.TotalSeconds, events.Length / cpu.TotalSeconds, (double)allocated / events.Length, gcs, paused / elapsed, longest);
    }

    private static void Report(string scenario, int queues, int events, int batch, bool listener, List<Sample> runs)
    {
        var sorted = runs.OrderByDescending(r => r.EventsPerSecond).ToList();
        var median = sorted[sorted.Count / 2];
        var apply = batch == 1 ? "single" : $"batch {batch}";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {scenario} | {queues:N0} | {events:N0} | {apply} | {(listener ? "1 (counts)" : "none")} | {sorted[0].EventsPerSecond:N0} | {median.EventsPerSecond:N0} | {runs.Select(r => r.EventsPerCpuSecond).Order().ElementAt(runs.Count / 2):N0} | {median.AllocatedPerEvent:N0} | {median.Gcs} | {median.PausedShare:P0} | {median.LongestPause:N0} |"));
    }

    private sealed record Sample(double EventsPerSecond, double EventsPerCpuSecond, double AllocatedPerEvent, string Gcs, double PausedShare, double LongestPause);
}
