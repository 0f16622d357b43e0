using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Dashboard.Core.Query;
using Dashboard.Core.Store;

namespace Dashboard.Bench;

/// <summary>
/// <c>breakdown [N...]</c>: where the time of the two slow queries goes, timing the steps the engine
/// takes (median of several runs), next to the whole query.
/// </summary>
internal static class Breakdown
{
    private const string Pattern = @"^devices/\d*42/";
    private const string SharedTopic = "fleet/42/broadcast";

    public static int Run(IReadOnlyList<string> args)
    {
        var options = Options.Parse(args);
        foreach (var queues in options.Queues)
        {
            var store = Workload.Build(queues);
            // As BenchmarkDotNet does after [GlobalSetup]: start from a collected, compacted heap.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Console.WriteLine($"## {queues:N0} queues, median of {options.Reps} runs");
            Console.WriteLine("| step | wall ms (median, best) | CPU ms (median) | MB allocated per run |");
            Console.WriteLine("|---|---:|---:|---:|");
            RegexScan(store, options.Reps);
            SharedTopicLookup(store, options.Reps);
            GC.KeepAlive(store);
        }
        return 0;
    }

    /// <summary>
    /// Cumulative stages of the full scan, each one the previous plus one more piece of work, so the
    /// differences between rows add up to the whole query.
    /// </summary>
    private static void RegexScan(SessionStore store, int reps)
    {
        var query = QueryParser.ParseText($"--topic=~{Pattern} --client_id --topic --limit=100000").Value;
        var nonBacktracking = SafeRegex.Compile(Pattern).Value;
        var matcher = SafeRegex.CompileMatcher(Pattern).Value;
        Step("1. walk every queue and its subscription objects (snapshot.Queues(): index chunks + ReadAt)", reps, () => Scan(store, _ => false));
        Step("2. = 1 + load each topic string (3N strings)", reps, () => Scan(store, topic => topic.Length == 0));
        Step("3. = 2 + NonBacktracking IsMatch on each topic (the regex SafeRegex compiles)", reps, () => Scan(store, nonBacktracking.IsMatch));
        Step($"3a. = 2 + the pattern's required literals only ({Describe(matcher.Literals)})", reps, () => Scan(store, matcher.Literals.Allows));
        Step("3b. = 2 + TextMatcher.IsMatchShared (literals, then per-string cache, then the regex)", reps, () => Scan(store, matcher.IsMatchShared));
        var oneThread = QueryEngine.ScanSettings.Default with { MaxWorkers = 1 };
        Step($"4. whole query `--topic=~{Pattern} --client_id --topic --limit=100000`, one thread", reps,
            () => QueryEngine.Run(query, [store], oneThread, out _).Value.Rows.Count);
        Step($"5. whole query, split across {QueryEngine.ScanSettings.Default.MaxWorkers} threads (as the engine runs it)", reps, () => QueryEngine.Run(query, store).Value.Rows.Count);
        // The same rows with a pattern whose only literal is the prefix: every devices/ topic goes to the regex.
        var noLiterals = QueryParser.ParseText(@"--topic=~^devices/\d*[4][2]/ --client_id --topic --limit=100000").Value;
        Step(@"6. whole query `--topic=~^devices/\d*[4][2]/` (same rows; literal prefilter passes all 2N device topics)", reps,
            () => QueryEngine.Run(noLiterals, store).Value.Rows.Count);
        var compiled = new Regex(Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        Step("3 with RegexOptions.Compiled instead (backtracking, 100 ms match timeout), for comparison", reps, () => Scan(store, compiled.IsMatch));
        var interpreted = new Regex(Pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        Step("3 with the backtracking interpreter instead (100 ms match timeout), for comparison", reps, () => Scan(store, interpreted.IsMatch));
    }

    private static string Describe(RequiredLiterals literals) =>
        $"prefix \"{literals.Prefix}\", inner {string.Join(", ", literals.Inner.Select(l => $"\"{l}\""))}";

    private static void SharedTopicLookup(SessionStore store, int reps)
    {
        var query = QueryParser.ParseText($"--topic={SharedTopic} --client_id").Value;
        Step($"whole query `--topic={SharedTopic} --client_id` (limit 100)", reps, () => QueryEngine.Run(query, store).Value.Rows.Count);
        var chunk = new QueueHandle[256];
        Step("CopyTopicHandlesAfter: the first chunk of the topic's sorted index, under the index lock", reps,
            () => store.CopyTopicHandlesAfter(SharedTopic, null, chunk));
        Step("snapshot.QueuesWithTopic, first 101 in key order (what a limit of 100 reads)", reps, () =>
        {
            using var snapshot = store.OpenSnapshot();
            return snapshot.QueuesWithTopic(SharedTopic).Take(101).Count();
        });
        Step("snapshot.QueuesWithTopic, every subscriber in key order", reps, () =>
        {
            using var snapshot = store.OpenSnapshot();
            return snapshot.QueuesWithTopic(SharedTopic).Count();
        });
    }

    private static int Scan(SessionStore store, Func<string, bool> test)
    {
        using var snapshot = store.OpenSnapshot();
        var matches = 0;
        foreach (var queue in snapshot.Queues())
        {
            foreach (var subscription in queue.Subscriptions)
            {
                if (test(subscription.Topic))
                {
                    matches++;
                }
            }
        }
        return matches;
    }

    private static void Step(string name, int reps, Func<int> step)
    {
        try
        {
            Measure(name, reps, step);
        }
        catch (RegexMatchTimeoutException)
        {
            // The backtracking engines' time bound: a busy machine can deschedule a scan past it.
            Console.WriteLine($"| {name} | match timeout (100 ms) hit | – | – |");
        }
    }

    private static void Measure(string name, int reps, Func<int> step)
    {
        step();
        var times = new List<double>();
        var cpuTimes = new List<double>();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < reps; i++)
        {
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var started = Stopwatch.GetTimestamp();
            step();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            cpuTimes.Add((Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds);
        }
        var allocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0 / reps;
        times.Sort();
        cpuTimes.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {times[times.Count / 2]:F2} (best {times[0]:F2}) | {cpuTimes[cpuTimes.Count / 2]:F2} | {allocatedMb:F1} |"));
    }
}
