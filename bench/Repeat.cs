using System.Diagnostics;
using Dashboard.Core.Query;

namespace Dashboard.Bench;

/// <summary>
/// <c>repeat N COUNT QUERY...</c>: builds N queues, then runs one query COUNT times and prints the
/// mean; a steady target for a profiler (<c>dotnet-trace collect -- ... repeat ...</c>).
/// </summary>
internal static class Repeat
{
    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count < 2 || !int.TryParse(args[0], out var queues) || !int.TryParse(args[1], out var count))
        {
            Console.Error.WriteLine("usage: repeat N COUNT [query words...]");
            return 2;
        }
        var parsed = QueryParser.ParseArguments([.. args.Skip(2)]);
        if (!parsed.IsSuccess)
        {
            Console.Error.WriteLine(parsed.Error);
            return 2;
        }
        var store = Workload.Build(queues);
        var rows = 0;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            rows = QueryEngine.Run(parsed.Value, store).Value.Rows.Count;
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        Console.WriteLine($"{count} runs, {rows} rows each, mean {elapsed.TotalMilliseconds / count:F3} ms");
        return 0;
    }
}
