using System.Diagnostics;
using System.Globalization;
using Dashboard.Core.Store;
using Dashboard.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Bench;

/// <summary>
/// <c>page-cpu [--queues=100000] [--rate=1000] [--seconds=30] [--warmup=10]</c>: the server CPU one open
/// sessions page costs while the store changes. The real app runs in this process on Kestrel with its
/// store filled with N queues and a writer applying the steady mix at the given rate; the process's CPU
/// time is measured over the same span with no page open, then with one Chromium tab on each query in
/// turn (the default view, a filtered view, a sorted view). The page's cost is the difference, given in
/// milliseconds of CPU per second (1,000 is one core). Chromium's own CPU is its process's, not counted.
/// </summary>
internal static partial class GridLoad
{
    private static readonly (string Name, string Path)[] PageCpuViews =
    [
        ("default view (`session show`, first 100 by key)", "/sessions"),
        ("filtered (`--client_id=~7$ --client_id --is_online --limit=1000`)", "/sessions?q=" + Uri.EscapeDataString("--client_id=~7$ --client_id --is_online --limit=1000")),
        ("every row, sorted by peer_port", "/sessions?q=" + Uri.EscapeDataString("--client_id --peer_port --is_online --limit=1000000") + "&sort=peer_port"),
    ];

    public static async Task<int> RunPageCpuAsync(string[] args)
    {
        var queues = Int(args, "queues", 100_000);
        var rate = Int(args, "rate", 1_000);
        var seconds = Int(args, "seconds", 30);
        var warmup = Int(args, "warmup", 10);
        Console.WriteLine($"page-cpu: {queues:N0} queues, {rate:N0} changes/s, {warmup} s warm-up + {seconds} s measured per view; {Environment.ProcessorCount} cores");
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
            var mix = Workload.SteadyMix(queues, rate * ((warmup + seconds) * (PageCpuViews.Length + 1) + 60));
            GC.Collect();

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await LaunchAsync(playwright);
            var context = await SignedInContextAsync(browser, url);

            using var writer = new Writer(store, mix, rate);
            writer.Start();
            await Task.Delay(TimeSpan.FromSeconds(warmup));
            var (idle, idleRate) = await CpuOverAsync(writer, seconds);
            Console.WriteLine();
            Console.WriteLine("| view | process CPU ms/s | of which the page | grid re-renders/s | changes applied/s | load average (1 min) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| no page open | {idle:F0} | – | – | {idleRate:N0} | {LoadAverage().Split(' ')[0]} |"));
            foreach (var (name, path) in PageCpuViews)
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync(url + path, new() { Timeout = 120_000 });
                await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeEnabledAsync(new() { Timeout = 120_000 });
                await page.WaitForFunctionAsync(GridShows, "client-", new() { Timeout = 120_000 });
                await Task.Delay(TimeSpan.FromSeconds(warmup));
                await page.EvaluateAsync(WatchGrid);
                var (cpu, applied) = await CpuOverAsync(writer, seconds);
                var times = await page.EvaluateAsync<double[]>("() => window.__refreshes");
                var span = await page.EvaluateAsync<double>("() => performance.now() - window.__watchStart");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {cpu:F0} | {cpu - idle:F0} | {Refreshes(times) / (span / 1000):F1} | {applied:N0} | {LoadAverage().Split(' ')[0]} |"));
                await page.CloseAsync();
                await Task.Delay(TimeSpan.FromSeconds(2));
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

    /// <summary>This process's CPU milliseconds per second over <paramref name="seconds"/>, and the writer's rate meanwhile.</summary>
    private static async Task<(double CpuMsPerSecond, double Applied)> CpuOverAsync(Writer writer, int seconds)
    {
        using var process = Process.GetCurrentProcess();
        writer.StartMeasuring();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / clock.Elapsed.TotalSeconds;
        return (cpu, writer.StopMeasuring().Rate);
    }
}
