using System.Diagnostics;
using System.Globalization;

namespace Dashboard.Bench;

/// <summary>
/// <c>build N COUNT</c>: builds a store of N queues (3 subscriptions each, batches of 256) COUNT times
/// and prints each build's events per second; a steady target for a profiler, like <c>repeat</c>.
/// </summary>
internal static class BuildRepeat
{
    public static int Run(IReadOnlyList<string> args)
    {
        var queues = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var count = args.Count > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var store = Workload.Build(queues);
            var elapsed = Stopwatch.GetElapsedTime(started);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"build {i + 1}: {queues:N0} queues, {4.0 * queues / elapsed.TotalSeconds:N0} events/s (event creation included)"));
            GC.KeepAlive(store);
        }
        return 0;
    }
}
