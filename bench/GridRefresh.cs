using System.Diagnostics;
using System.Globalization;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Bench;

/// <summary>
/// <c>grid [N] [COUNT]</c>: what one live refresh of the sessions page costs the server with N sessions
/// in the store (default 100,000): re-running its query (with the bounded match count and the row
/// change tracking behind the highlight), then sorting and cutting the page of 50 rows the browser gets.
/// </summary>
internal static class GridRefresh
{
    private static readonly (string Name, string Query, string? Sort)[] Views =
    [
        ("default view (limit 100)", "", null),
        ("default view, sorted by client_id desc", "", "client_id"),
        ("regex on client_id (limit 100)", "--client_id=~^client-9", null),
        ("every session (--limit=100000), sorted by client_id", "--limit=100000", "client_id"),
        ("every subscription (--topic --limit=300000), sorted by topic", "--client_id --topic --limit=300000", "topic"),
        // The full scan of grid-load's tabs (issue 14): every subscription tested, 2% match.
        ("regex over every topic (--topic=~^devices/\\d*42/ --client_id --topic --limit=100000)", @"--topic=~^devices/\d*42/ --client_id --topic --limit=100000", null),
    ];

    public static int Run(IReadOnlyList<string> args)
    {
        var sessions = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var count = args.Count > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var store = Workload.Build(sessions);
        Console.WriteLine($"{sessions:N0} sessions (3 subscriptions each), {count} refreshes per view, {Environment.ProcessorCount} cores");
        Console.WriteLine("| view | rows | query + count + tracking ms (median) | sort + page ms (median) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, query, sort) in Views)
        {
            Measure(store, name, query, sort, count);
        }
        return 0;
    }

    private static void Measure(SessionStore store, string name, string query, string? sort, int count)
    {
        var view = new SessionsViewModel(store);
        view.Apply(query);
        var refresh = new double[count];
        var paging = new double[count];
        var rows = 0;
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            view.Refresh();
            refresh[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            started = Stopwatch.GetTimestamp();
            var page = GridPaging.Page(view.Result!.Rows, sort is null ? -1 : view.IndexOf(sort), true, 0, 50);
            paging[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            rows = view.Result.Rows.Count;
            GC.KeepAlive(page);
        }
        Console.WriteLine($"| {name} | {rows:N0} | {Median(refresh):F2} | {Median(paging):F2} |");
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }
}
