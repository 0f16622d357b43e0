using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Bench;

/// <summary>
/// <c>breakdown [N...]</c>: where the time of the two slow queries goes, timing each step the engine
/// takes on its own (median of several runs), next to the whole query.
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
            Console.WriteLine($"## {queues:N0} queues, median of {options.Reps} runs");
            Console.WriteLine("| step | wall ms | CPU ms |");
            Console.WriteLine("|---|---:|---:|");
            RegexScan(store, options.Reps);
            SharedTopicLookup(store, options.Reps);
            GC.KeepAlive(store);
        }
        return 0;
    }

    private static void RegexScan(SessionStore store, int reps)
    {
        var query = QueryParser.ParseText($"--topic=~{Pattern} --client_id --topic --limit=100000").Value;
        Step($"whole query `--topic=~{Pattern} --client_id --topic --limit=100000`", reps, () => QueryEngine.Run(query, store).Value.Rows.Count);
        Step("walk every queue (snapshot.Queues(): index chunks + ReadAt)", reps, () =>
        {
            using var snapshot = store.OpenSnapshot();
            return snapshot.Queues().Count();
        });
        var states = Current(store);
        var nonBacktracking = SafeRegex.Compile(Pattern).Value;
        Step("NonBacktracking IsMatch on every topic (no engine around it)", reps, () => CountMatches(states, nonBacktracking));
        var compiled = new Regex(Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        Step("same with RegexOptions.Compiled (backtracking, 100 ms timeout), for comparison", reps, () => CountMatches(states, compiled));
        var interpreted = new Regex(Pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        Step("same with the interpreter (backtracking, 100 ms timeout), for comparison", reps, () => CountMatches(states, interpreted));
        Step("per-subscription row + filter delegates, no regex (engine overhead)", reps, () => RowOverhead(store, states));
    }

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

    private static QueueState[] Current(SessionStore store)
    {
        using var snapshot = store.OpenSnapshot();
        return [.. snapshot.Queues()];
    }

    private static int CountMatches(QueueState[] states, Regex regex)
    {
        var matches = 0;
        foreach (var state in states)
        {
            foreach (var subscription in state.Subscriptions)
            {
                if (regex.IsMatch(subscription.Topic))
                {
                    matches++;
                }
            }
        }
        return matches;
    }

    /// <summary>What the engine does per subscription, with the regex replaced by a cheap test.</summary>
    private static int RowOverhead(SessionStore store, QueueState[] states)
    {
        var read = FieldCatalog.Getter(FieldCatalog.All.First(f => f.Name == "topic"));
        Func<SessionRow, bool> filter = row => read(row) is string text && text.Length == 0;
        var matches = 0;
        foreach (var state in states)
        {
            var row = new SessionRow(store.NodeName, state, null, null, null);
            foreach (var subscription in state.Subscriptions)
            {
                if (filter(row with { Subscription = subscription }))
                {
                    matches++;
                }
            }
        }
        return matches;
    }

    private static void Step(string name, int reps, Func<int> step)
    {
        step();
        var times = new List<double>();
        var cpuTimes = new List<double>();
        for (var i = 0; i < reps; i++)
        {
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var started = Stopwatch.GetTimestamp();
            step();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            cpuTimes.Add((Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds);
        }
        times.Sort();
        cpuTimes.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {times[times.Count / 2]:F2} | {cpuTimes[cpuTimes.Count / 2]:F2} |"));
    }
}
