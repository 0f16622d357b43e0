using System.Diagnostics;
using System.Globalization;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Dashboard.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Bench;

/// <summary>
/// <c>grid-load [--queues=1000000] [--tabs=4] [--rate=10000] [--seconds=60] [--warmup=15]</c>: the
/// sessions page under load, end to end. The real app runs in this process on Kestrel (as the
/// end-to-end tests host it) with its store filled directly with N queues (<see cref="Workload"/>);
/// Debian's Chromium opens the same full-scan regex query in several tabs (each a Blazor circuit that
/// re-runs it on every live refresh, at most four times a second) while a writer thread applies the
/// steady mix at a fixed rate. Measured:
/// <list type="bullet">
/// <item>the grid's refresh latency: once a second a marker queue (first in key order, so on every
/// tab's first page) gets a new matching topic; the time until each tab's grid shows it;</item>
/// <item>how often each tab's grid actually re-rendered (DOM mutations, grouped per 30 ms);</item>
/// <item>the apply rate the writer reached against its target, and its longest <c>Apply</c> call
/// (a query blocking the writer would show here).</item>
/// </list>
/// The GC is this process's: run it with the app's settings (see BENCHMARKS.md).
/// </summary>
internal static partial class GridLoad
{
    private const string Query = @"--topic=~^devices/\d*42/ --client_id --topic --limit=100000";

    // Sorts before every workload client (client ids run descending), so its rows head the first page.
    private static readonly QueueKey Marker = new("", "client-99999999");

    private const string AdminPassword = "grid-load-admin";

    private const string GridShows = """
        text => { const grid = document.querySelector('[aria-label="Sessions"] tbody'); return !!grid && grid.textContent.includes(text); }
        """;

    // Records when the grid's rows change; a refresh's mutations arrive within a few milliseconds.
    private const string WatchGrid = """
        () => {
            window.__refreshes = [];
            const grid = document.querySelector('[aria-label="Sessions"]');
            new MutationObserver(() => window.__refreshes.push(performance.now()))
                .observe(grid, { subtree: true, childList: true, characterData: true });
            window.__watchStart = performance.now();
        }
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var queues = Int(args, "queues", 1_000_000);
        var tabs = Int(args, "tabs", 4);
        var rate = Int(args, "rate", 10_000);
        var seconds = Int(args, "seconds", 60);
        var warmup = Int(args, "warmup", 15);
        Console.WriteLine($"grid-load: {queues:N0} queues, {tabs} tabs on `{Query}`, {rate:N0} changes/s, {warmup} s warm-up + {seconds} s measured");
        Console.WriteLine($"{Environment.ProcessorCount} cores; GC: {Throughput.GcSettings()}");

        var dataPath = Path.Combine(Path.GetTempPath(), "grid-load-" + Guid.NewGuid().ToString("N"));
        // The test host finds the app's content root (its static assets) through a manifest it reads
        // from the working directory.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        await using var app = new AppFactory(dataPath);
        try
        {
            app.UseKestrel();
            app.StartServer();
            var url = app.Services.GetRequiredService<HttpEndpoint>().Url!.GetLeftPart(UriPartial.Authority);
            var store = app.Services.GetRequiredService<SessionStore>();

            var filling = Stopwatch.StartNew();
            Workload.Fill(store, queues);
            store.Apply(new ClientConnected(Marker, CleanSession: false, User: null, PeerHost: "10.255.255.255", PeerPort: 1, Protocol: 4));
            var mix = Workload.SteadyMix(queues, rate * (warmup + seconds + 30));
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Console.WriteLine($"store filled in {filling.Elapsed.TotalSeconds:F1} s; heap {GC.GetTotalMemory(false) / 1048576:N0} MB; load average {LoadAverage()}");

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await LaunchAsync(playwright);
            var context = await SignedInContextAsync(browser, url);

            var pages = new List<IPage>();
            for (var i = 0; i < tabs; i++)
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync(url + "/sessions?q=" + Uri.EscapeDataString(Query), new() { Timeout = 120_000 });
                await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeEnabledAsync(new() { Timeout = 120_000 });
                await page.WaitForFunctionAsync(GridShows, "client-", new() { Timeout = 120_000 });
                pages.Add(page);
            }
            Console.WriteLine($"{tabs} tabs open and interactive; load average {LoadAverage()}");

            using var writer = new Writer(store, mix, rate);
            writer.Start();
            await Task.Delay(TimeSpan.FromSeconds(warmup));

            foreach (var page in pages)
            {
                await page.EvaluateAsync(WatchGrid);
            }
            writer.StartMeasuring();
            // The same query in this process every 2 s: what one refresh's query costs under this load.
            using var probe = new QueryProbe(store, Query);
            var latencies = new List<double>();
            var missed = 0;
            var clicks = new List<double>();
            var clicksMissed = 0;
            var loads = new List<string> { LoadAverage() };
            var clock = Stopwatch.StartNew();
            string? previous = null;
            for (var marker = 0; clock.Elapsed < TimeSpan.FromSeconds(seconds); marker++)
            {
                var tick = clock.Elapsed;
                var topic = $"devices/42/marker-{marker}-";
                StoreEvent[] change = previous is null
                    ? [new SubscriptionAdded(Marker, new Subscription(topic, 0))]
                    : [new SubscriptionAdded(Marker, new Subscription(topic, 0)), new SubscriptionRemoved(Marker, previous)];
                previous = topic;
                var started = Stopwatch.GetTimestamp();
                store.Apply(change);
                var seen = await Task.WhenAll(pages.Select(async page =>
                {
                    try
                    {
                        await page.WaitForFunctionAsync(GridShows, topic, new() { PollingInterval = 10, Timeout = 30_000 });
                        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    }
                    catch (TimeoutException)
                    {
                        return double.NaN;
                    }
                }));
                if (seen.Any(double.IsNaN) && Environment.GetEnvironmentVariable("GRID_LOAD_DEBUG") is not null)
                {
                    await pages[0].ScreenshotAsync(new() { Path = "/tmp/grid-load-missed.png" });
                    Console.WriteLine(await pages[0].EvaluateAsync<string>("() => document.querySelector('[aria-label=\"Sessions\"]')?.textContent?.slice(0, 600) ?? 'no grid'"));
                }
                latencies.AddRange(seen.Where(ms => !double.IsNaN(ms)));
                // Is the page answering? Open the column chooser in the first tab and time it.
                if (await ClickRoundTripAsync(pages[0]) is { } ui)
                {
                    clicks.Add(ui);
                }
                else
                {
                    clicksMissed++;
                }
                missed += seen.Count(double.IsNaN);
                if (marker % 10 == 9)
                {
                    loads.Add(LoadAverage());
                }
                var next = tick + TimeSpan.FromSeconds(1);
                if (clock.Elapsed < next)
                {
                    await Task.Delay(next - clock.Elapsed);
                }
            }
            var measured = writer.StopMeasuring();
            loads.Add(LoadAverage());
            probe.Stop();
            if (Environment.GetEnvironmentVariable("GRID_LOAD_DEBUG") is not null)
            {
                await pages[0].ScreenshotAsync(new() { Path = "/tmp/grid-load-end.png" });
            }

            var refreshes = new List<double>();
            foreach (var page in pages)
            {
                var times = await page.EvaluateAsync<double[]>("() => window.__refreshes");
                var span = await page.EvaluateAsync<double>("() => performance.now() - window.__watchStart");
                refreshes.Add(Refreshes(times) / (span / 1000));
            }

            var sorted = latencies.Order().ToArray();
            Console.WriteLine();
            Console.WriteLine("| tabs | queues | target changes/s | applied changes/s | longest Apply ms | Apply p99 ms | marker → grid p50 / p90 / p99 / max ms | samples (not seen within 30 s) | grid re-renders per tab per s | load average (1 min) during |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {tabs} | {queues:N0} | {rate:N0} | {measured.Rate:N0} | {measured.LongestApplyMs:F1} | {measured.ApplyP99Ms:F2} | {P(sorted, 0.5):F0} / {P(sorted, 0.9):F0} / {P(sorted, 0.99):F0} / {(sorted.Length > 0 ? sorted[^1] : 0):F0} | {sorted.Length} ({missed}) | {string.Join(", ", refreshes.Select(r => r.ToString("F1", CultureInfo.InvariantCulture)))} | {string.Join(" → ", loads.Select(l => l.Split(' ')[0]))} |"));
            var clickSorted = clicks.Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"a click in the first tab (open the column chooser until it shows): p50 {P(clickSorted, 0.5):F0} ms, p90 {P(clickSorted, 0.9):F0} ms, max {(clickSorted.Length > 0 ? clickSorted[^1] : 0):F0} ms, {clickSorted.Length} clicks ({clicksMissed} not answered within 30 s)"));
            Console.WriteLine($"the query alone (run here every 2 s during the measurement): {probe.Summary()}");
            Console.WriteLine($"writer: {measured.Applied:N0} changes in {measured.Seconds:F1} s, {measured.Calls:N0} Apply calls; GC during the run: {measured.Gcs}, pause {measured.GcPauseMs:N0} ms");
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

    /// <summary>Debian's Chromium, headless, without its background traffic.</summary>
    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    /// <summary>A browser context signed in as the bench's admin, so every tab opened in it is too.</summary>
    private static async Task<IBrowserContext> SignedInContextAsync(IBrowser browser, string url)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, Locale = "en-US" });
        var login = await context.NewPageAsync();
        await login.GotoAsync(url + "/login");
        await login.GetByLabel("User name").FillAsync("admin");
        await login.GetByLabel("Password").FillAsync(AdminPassword);
        await login.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await login.WaitForURLAsync(u => !u.Contains("/login", StringComparison.Ordinal));
        await login.CloseAsync();
        return context;
    }

    /// <summary>Milliseconds from clicking Columns until the chooser shows (then closed again); null when it did not within 30 s.</summary>
    private static async Task<double?> ClickRoundTripAsync(IPage page)
    {
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Columns", Exact = true });
        var chooser = page.GetByRole(AriaRole.Group, new() { Name = "Choose columns" });
        try
        {
            var started = Stopwatch.GetTimestamp();
            await button.ClickAsync(new() { Timeout = 30_000 });
            await chooser.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 30_000 });
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await button.ClickAsync(new() { Timeout = 30_000 });
            await chooser.WaitForAsync(new() { State = WaitForSelectorState.Hidden, Timeout = 30_000 });
            return ms;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Mutation callbacks grouped into re-renders: a gap of more than 30 ms starts a new one.</summary>
    private static int Refreshes(double[] times)
    {
        var count = 0;
        var last = double.NegativeInfinity;
        foreach (var time in times)
        {
            if (time - last > 30)
            {
                count++;
            }
            last = time;
        }
        return count;
    }

    private static double P(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static int Int(string[] args, string name, int fallback) =>
        args.FirstOrDefault(a => a.StartsWith($"--{name}=", StringComparison.Ordinal)) is { } arg
            ? int.Parse(arg[(name.Length + 3)..].Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)
            : fallback;

    /// <summary>Applies the steady mix at a fixed rate on its own thread, in batches, timing each call.</summary>
    private sealed class Writer(SessionStore store, StoreEvent[] events, int rate) : IDisposable
    {
        private readonly List<double> _applyMs = [];
        private volatile bool _stop;
        private Thread? _running;
        private long _applied, _calls;
        private long _measureFrom, _measureStarted, _gcStart;
        private TimeSpan _pauseStart;
        private bool _measuring;

        public void Start()
        {
            _running = new Thread(Run) { IsBackground = true, Name = "grid-load writer" };
            _running.Start();
        }

        public void StartMeasuring()
        {
            lock (_applyMs)
            {
                _applyMs.Clear();
                _measureFrom = Interlocked.Read(ref _applied);
                _measureStarted = Stopwatch.GetTimestamp();
                _gcStart = GC.CollectionCount(0);
                _pauseStart = GC.GetTotalPauseDuration();
                _calls = 0;
                _measuring = true;
            }
        }

        public Measured StopMeasuring()
        {
            lock (_applyMs)
            {
                _measuring = false;
                var seconds = Stopwatch.GetElapsedTime(_measureStarted).TotalSeconds;
                var applied = Interlocked.Read(ref _applied) - _measureFrom;
                var sorted = _applyMs.Order().ToArray();
                return new Measured(applied, seconds, applied / seconds, sorted.Length > 0 ? sorted[^1] : 0, P(sorted, 0.99), _calls,
                    $"{GC.CollectionCount(0) - _gcStart} gen0 ({GC.CollectionCount(1)} gen1, {GC.CollectionCount(2)} gen2 since start)",
                    (GC.GetTotalPauseDuration() - _pauseStart).TotalMilliseconds);
            }
        }

        private void Run()
        {
            var clock = Stopwatch.StartNew();
            var next = 0;
            while (!_stop)
            {
                var due = (long)(clock.Elapsed.TotalSeconds * rate);
                while (Interlocked.Read(ref _applied) < due && !_stop)
                {
                    var count = (int)Math.Min(Workload.BatchSize, due - Interlocked.Read(ref _applied));
                    if (next + count > events.Length)
                    {
                        // The mix leaves the store as it found it, so it can start over.
                        next = 0;
                    }
                    var started = Stopwatch.GetTimestamp();
                    store.Apply(events.AsSpan(next, count));
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    next += count;
                    Interlocked.Add(ref _applied, count);
                    lock (_applyMs)
                    {
                        if (_measuring)
                        {
                            _applyMs.Add(ms);
                            _calls++;
                        }
                    }
                }
                Thread.Sleep(1);
            }
        }

        public void Dispose()
        {
            _stop = true;
            _running?.Join();
        }
    }

    /// <summary>Runs the tabs' query on its own thread every 2 s and keeps its durations.</summary>
    private sealed class QueryProbe : IDisposable
    {
        private readonly List<double> _ms = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;

        public QueryProbe(SessionStore store, string text)
        {
            var query = Dashboard.Core.Query.QueryParser.ParseText(text).Value;
            _task = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var started = Stopwatch.GetTimestamp();
                    Dashboard.Core.Query.QueryEngine.Run(query, store);
                    lock (_ms)
                    {
                        _ms.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    try
                    {
                        await Task.Delay(2000, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            });
        }

        public void Stop()
        {
            _stop.Cancel();
            _task.Wait();
        }

        public string Summary()
        {
            lock (_ms)
            {
                var sorted = _ms.Order().ToArray();
                return sorted.Length == 0 ? "no runs" : string.Create(CultureInfo.InvariantCulture,
                    $"{sorted.Length} runs, median {P(sorted, 0.5):F0} ms, best {sorted[0]:F0} ms, worst {sorted[^1]:F0} ms");
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }

    private sealed record Measured(long Applied, double Seconds, double Rate, double LongestApplyMs, double ApplyP99Ms, long Calls, string Gcs, double GcPauseMs);

    private sealed class AppFactory(string dataPath) : WebApplicationFactory<HttpEndpoint>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Http:Address", "127.0.0.1");
            builder.UseSetting("Http:Port", "0");
            builder.UseSetting("Mqtt:Address", "127.0.0.1");
            builder.UseSetting("Mqtt:Port", "0");
            builder.UseSetting("Broker:NodeName", "grid-load@127.0.0.1");
            builder.UseSetting("Data:Path", dataPath);
            builder.UseSetting("Auth:AdminPassword", AdminPassword);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }
}
