using System.Diagnostics;
using System.Globalization;
using Dashboard.Core.Store;
using Dashboard.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Bench;

/// <summary>
/// <c>page-cpu [--queues=100000] [--rate=1000] [--seconds=20] [--warmup=30] [--rounds=1] [--views=default,filtered,all]</c>:
/// the server CPU one open sessions page costs while the store changes. The real app runs in this
/// process on Kestrel with its store filled with N queues and a writer applying the steady mix at the
/// given rate. For each view, in each round: the process's CPU over a window with no page open, then
/// (after the page loaded and warmed up) over a window with one Chromium tab on the view. The page's
/// cost is the difference, in milliseconds of CPU per second (1,000 is one core).
/// <para>
/// The runtime's tiered compiler recompiles hot code in the background for a while after new code
/// first runs (the page's rendering, the query): that is a one-off cost of the process, not of an open
/// page, so its thread's CPU is shown apart and the page's steady cost is given without it. The
/// per-thread figures come from <c>/proc/self/task</c> (Linux). Chromium's own CPU is its process's,
/// not counted.
/// </para>
/// </summary>
internal static partial class GridLoad
{
    private static readonly (string Key, string Name, string Path)[] PageCpuViews =
    [
        ("default", "default view (`session show`, first 100 by key)", "/sessions"),
        ("filtered", "filtered (`--client_id=~7$ --client_id --is_online --limit=1000`)", "/sessions?q=" + Uri.EscapeDataString("--client_id=~7$ --client_id --is_online --limit=1000")),
        ("all", "every row, sorted by peer_port", "/sessions?q=" + Uri.EscapeDataString("--client_id --peer_port --is_online --limit=1000000") + "&sort=peer_port"),
    ];

    public static async Task<int> RunPageCpuAsync(string[] args)
    {
        var queues = Int(args, "queues", 100_000);
        var rate = Int(args, "rate", 1_000);
        var seconds = Int(args, "seconds", 20);
        var warmup = Int(args, "warmup", 30);
        var rounds = Int(args, "rounds", 1);
        var wanted = (args.FirstOrDefault(a => a.StartsWith("--views=", StringComparison.Ordinal))?["--views=".Length..] ?? "default,filtered,all")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var views = PageCpuViews.Where(v => wanted.Contains(v.Key)).ToArray();
        if (views.Length == 0)
        {
            Console.Error.WriteLine("page-cpu: --views takes default, filtered and/or all, comma-separated");
            return 2;
        }
        Console.WriteLine($"page-cpu: {queues:N0} queues, {rate:N0} changes/s; per view {seconds} s without a page, then {warmup} s warm-up + {seconds} s with it; {rounds} round(s); {Environment.ProcessorCount} cores");
        Console.WriteLine($"GC: {Throughput.GcSettings()}");
        var dataPath = Path.Combine(Path.GetTempPath(), "page-cpu-" + Guid.NewGuid().ToString("N"));
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        await using var app = new AppFactory(dataPath);
        try
        {
            app.UseKestrel();
            app.StartServer();
            var url = app.Services.GetRequiredService<HttpEndpoint>().Url!.GetLeftPart(UriPartial.Authority);
            var store = app.Services.GetRequiredService<SessionStore>();
            Workload.Fill(store, queues);
            var windows = rounds * views.Length * (2 * seconds + warmup + 10) + warmup + 60;
            var mix = Workload.SteadyMix(queues, rate * windows);
            GC.Collect();

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await LaunchAsync(playwright);
            var context = await SignedInContextAsync(browser, url);

            using var writer = new Writer(store, mix, rate);
            writer.Start();
            await Task.Delay(TimeSpan.FromSeconds(warmup));
            Console.WriteLine();
            Console.WriteLine("| round | view | no page: CPU ms/s (JIT) | page open: CPU ms/s (JIT) | the page | the page without JIT | grid re-renders/s | changes applied/s | load average (1 min) |");
            Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---|");
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var (_, name, path) in views)
                {
                    var idle = await CpuOverAsync(writer, seconds);
                    var page = await context.NewPageAsync();
                    await page.GotoAsync(url + path, new() { Timeout = 120_000 });
                    await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeEnabledAsync(new() { Timeout = 120_000 });
                    await page.WaitForFunctionAsync(GridShows, "client-", new() { Timeout = 120_000 });
                    await Task.Delay(TimeSpan.FromSeconds(warmup));
                    await page.EvaluateAsync(WatchGrid);
                    var open = await CpuOverAsync(writer, seconds);
                    var times = await page.EvaluateAsync<double[]>("() => window.__refreshes");
                    var span = await page.EvaluateAsync<double>("() => performance.now() - window.__watchStart");
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {round} | {name} | {idle.Cpu:F0} ({idle.Jit:F0}) | {open.Cpu:F0} ({open.Jit:F0}) | {open.Cpu - idle.Cpu:F0} | {open.Cpu - open.Jit - (idle.Cpu - idle.Jit):F0} | {Refreshes(times) / (span / 1000):F1} | {open.Applied:N0} | {LoadAverage().Split(' ')[0]} |"));
                    await page.CloseAsync();
                    await Task.Delay(TimeSpan.FromSeconds(5));
                }
            }
            return 0;
        }
        finally
        {
            if (Directory.Exists(dataPath))
            {
                try
                {
                    Directory.Delete(dataPath, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>This process's CPU milliseconds per second over <paramref name="seconds"/>, the tiered compiler's share of it, and the writer's rate meanwhile.</summary>
    private static async Task<(double Cpu, double Jit, double Applied)> CpuOverAsync(Writer writer, int seconds)
    {
        using var process = Process.GetCurrentProcess();
        writer.StartMeasuring();
        var cpuBefore = process.TotalProcessorTime;
        var jitBefore = ThreadTicks();
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        process.Refresh();
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / elapsed;
        var jitAfter = ThreadTicks();
        // A compiler thread that ended meanwhile loses its share: the page's figure errs high, not low.
        var jitTicks = jitAfter.Sum(t => t.Value - jitBefore.GetValueOrDefault(t.Key));
        return (cpu, jitTicks * 1000.0 / TicksPerSecond / elapsed, writer.StopMeasuring().Rate);
    }

    // The kernel's clock ticks per second for /proc's CPU times (USER_HZ), 100 on Linux.
    private const double TicksPerSecond = 100;

    /// <summary>User plus system ticks of each of this process's tiered-compilation threads, by thread id.</summary>
    private static Dictionary<int, long> ThreadTicks()
    {
        var ticks = new Dictionary<int, long>();
        if (!Directory.Exists("/proc/self/task"))
        {
            return ticks;
        }
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                // pid (comm) state ppid ...: the name may hold spaces and parentheses, the fields follow the last ')'.
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var comm = stat[(open + 1)..close];
                if (!comm.StartsWith(".NET Tiered", StringComparison.Ordinal))
                {
                    continue;
                }
                var fields = stat[(close + 2)..].Split(' ');
                // After the name: state is field 3 of the line, utime 14 and stime 15.
                ticks[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                    long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended while being read.
            }
        }
        return ticks;
    }
}
