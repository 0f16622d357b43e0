using System.Globalization;

namespace Dashboard.Bench;

/// <summary>Arguments of the Stopwatch modes: queue counts (default BENCH_QUEUES, else 10k, 100k, 1M) and <c>--reps=R</c>.</summary>
internal sealed record Options(IReadOnlyList<int> Queues, int Reps)
{
    public static Options Parse(IReadOnlyList<string> args)
    {
        var queues = new List<int>();
        var reps = 3;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--reps=", StringComparison.Ordinal))
            {
                reps = int.Parse(arg["--reps=".Length..], CultureInfo.InvariantCulture);
            }
            else
            {
                queues.Add(int.Parse(arg.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture));
            }
        }
        return new Options(queues.Count > 0 ? queues : QueuesFromEnvironment(), reps);
    }

    /// <summary>The comma-separated queue counts in <c>BENCH_QUEUES</c>, else 10k, 100k and 1M.</summary>
    public static IReadOnlyList<int> QueuesFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("BENCH_QUEUES");
        return string.IsNullOrWhiteSpace(text)
            ? [10_000, 100_000, 1_000_000]
            : [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => int.Parse(n.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture))];
    }
}
