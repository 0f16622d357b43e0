using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>
/// Issue 11 §3, the reconnect storm: 1,000 real MQTT clients reconnecting in a loop against the app
/// process while one Chromium shows the sessions grid and another the wall. Afterwards the dashboard's
/// API must list exactly what the clients themselves know (who is connected, whose persistent session
/// waits offline, who is gone), the wall must count the same, the app's memory must come back near
/// where it was before the storm, and during the storm a click in the grid must open the detail page
/// quickly. <c>DASHBOARD_STORM_SECONDS</c> sets the storm's length (default 60).
/// </summary>
[Collection(StormCollection.Name)]
public sealed class ReconnectStormTests : IAsyncLifetime
{
    private const int ClientCount = 1_000;
    private const string Prefix = "storm-";

    // The issue's bound: during the storm a click in the grid opens the detail page within 1 s, from the
    // click event to the page's heading, timed in the page. It holds with the clients at a lower CPU
    // priority than the app and the browser, and the heading awaited without Playwright's polling (both
    // below; RELIABILITY.md has the runs before and after).
    private static readonly TimeSpan ClickBound = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan StormLength = TimeSpan.FromSeconds(
        int.Parse(Environment.GetEnvironmentVariable("DASHBOARD_STORM_SECONDS") ?? "60", CultureInfo.InvariantCulture));

    private readonly StormApp _app = new();
    private readonly StormClient[] _clients = [.. Enumerable.Range(0, ClientCount).Select(i => new StormClient(i))];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static ITestOutputHelper? Output => TestContext.Current.TestOutputHelper;

    public ValueTask InitializeAsync() => _app.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        // The app's warnings and errors (each message once), for whoever reads a failure.
        var output = _app.Output;
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "logs"));
        await File.WriteAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "logs", "reconnect-storm-app.log"), output, CancellationToken.None);
        var problems = output.Select((line, i) => (line, i)).Where(l => l.line.StartsWith("warn:", StringComparison.Ordinal) || l.line.StartsWith("fail:", StringComparison.Ordinal) || l.line.StartsWith("crit:", StringComparison.Ordinal))
            .Select(l => l.line + " " + (l.i + 1 < output.Count ? output[l.i + 1].Trim() : "")).ToList();
        foreach (var group in problems.GroupBy(p => p).Take(20))
        {
            Output?.WriteLine($"app ({group.Count()}x): {group.Key}");
        }
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        await _app.DisposeAsync();
    }

    [Fact(Timeout = 420_000)]
    public async Task ThousandClientsReconnecting_StoreEqualsTheClientsView_MemoryComesBack_GridClicksStayFast()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var gridContext = await Chromium.NewContextAsync(browser, _app.BaseUrl);
        var grid = await gridContext.NewPageAsync();
        await using var wallContext = await Chromium.NewContextAsync(browser, _app.BaseUrl, user: null);
        var wall = await wallContext.NewPageAsync();

        // Every client connects once first, so the persistent sessions exist before the baseline.
        foreach (var client in _clients)
        {
            client.Port = _app.MqttPort;
        }
        await ForEachAsync(_clients, client => client.ConnectAsync(Cancel), parallel: 50);

        // The grid lists the persistent sessions, sorted: they stay in the store, online or not, so the rows
        // keep their places and the link clicked is the one aimed at.
        await grid.GotoAsync(_app.BaseUrl + "/sessions?q=" + Uri.EscapeDataString($"--client_id --is_online --user --peer_port --limit=1000 --client_id=~^{Prefix}p-") + "&sort=client_id");
        await Assertions.Expect(grid.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await wall.GotoAsync($"{_app.BaseUrl}/wall?token={_app.WallToken}&q={Uri.EscapeDataString($"--client_id=~^{Prefix}")}");
        await Assertions.Expect(wall.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        await Assertions.Expect(Tile(wall, "Sessions online")).ToHaveTextAsync(ClientCount.ToString("N0", CultureInfo.InvariantCulture));
        // One click before the storm: the same path on a quiet app.
        var quietClick = await ClickIntoDetailAsync(grid, 0);
        // The baseline is an app that has met a storm once and settled: a first storm grows what stays
        // for good (code compiled for the storm's paths, the thread pool's threads and their native
        // memory; 24-28 MB outside the GC heap in two clean-clone runs, RELIABILITY.md). What this test
        // asks is that a storm's memory comes back, so the baseline is taken after a short one and a
        // settle as long as the one after the storm.
        using (var warmUp = CancellationTokenSource.CreateLinkedTokenSource(Cancel))
        {
            warmUp.CancelAfter(TimeSpan.FromSeconds(10));
            await Task.WhenAll(_clients.Select(client => client.StormAsync(warmUp.Token)));
        }
        var before = await SettledMemoryAsync();
        var connectsBefore = _clients.Sum(c => c.Connects);
        var cpuBefore = _app.CpuTime();
        Output?.WriteLine($"Before the storm: {ClientCount} clients, then a 10 s warm-up storm ({connectsBefore} connects in all) and a settle: {before}; a click into the detail page {quietClick}");

        // The clients stand in for devices on other machines, which would not take the app's or the browser's
        // cores: through the measured storm this process (the clients, not the app or Chromium it started)
        // runs at a lower CPU priority (LoadGeneratorPriority). Not during the warm-up, whose job is to make
        // the app meet a storm at full strength before the baseline: a lighter warm-up left more of the
        // storm's one-time growth (compiled code, threads) to show up after it, as in one run at 116%.
        using var priority = LoadGeneratorPriority.Lower(10);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        stop.CancelAfter(StormLength);
        var clock = Stopwatch.StartNew();
        var storm = Task.WhenAll(_clients.Select(client => client.StormAsync(stop.Token)));

        // The grid refreshes all through the storm, and must do so by updating its rows, not replacing them:
        // a click landing on a link the refresh had just replaced was lost.
        await grid.EvaluateAsync("""
            () => {
                window.linksReplaced = 0;
                new MutationObserver(changes => {
                    for (const change of changes) {
                        for (const node of change.removedNodes) {
                            if (node.nodeType === 1 && (node.matches('a.client-link') || node.querySelector('a.client-link'))) window.linksReplaced++;
                        }
                    }
                }).observe(document.body, { childList: true, subtree: true });
            }
            """);
        await Task.Delay(TimeSpan.FromSeconds(5), Cancel);
        var linksReplaced = await grid.EvaluateAsync<int>("() => window.linksReplaced");
        var refreshedRows = await grid.Locator("tr.row-changed").CountAsync();

        var clicks = new List<Click>();
        var peak = before.Resident;
        var wallLooks = 0;
        var wallLost = 0;
        while (!stop.IsCancellationRequested)
        {
            clicks.Add(await ClickIntoDetailAsync(grid, clicks.Count + 1));
            peak = Math.Max(peak, _app.ResidentBytes());
            wallLooks++;
            if (await wall.GetByRole(AriaRole.Status).TextContentAsync() != "Live")
            {
                wallLost++;
            }
            await Task.Delay(500, CancellationToken.None);
        }
        await storm;
        var stormSeconds = clock.Elapsed.TotalSeconds;
        var connects = _clients.Sum(c => c.Connects) - connectsBefore;
        var failures = _clients.Sum(c => c.Failures);
        var cpu = _app.CpuTime() - cpuBefore;
        var times = clicks.Select(c => c.Total).Order().ToList();
        var pageTimes = clicks.Select(c => c.PageTotal).Order().ToList();
        Output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Storm: {stormSeconds:F0} s, {priority}, {connects} connects ({connects / stormSeconds:F0}/s), {failures} failed ({string.Join("; ", _clients.Select(c => c.LastError).OfType<string>().Distinct().Take(3))}), app CPU {cpu.TotalSeconds:F0} s, peak RSS {Mb(peak)} MB"));
        Output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Clicks into the detail page during the storm: {clicks.Count}, p50 {Percentile(times, 0.5):F0} ms, max {times[^1]:F0} ms as the test saw them; timed in the page from the click event p50 {Percentile(pageTimes, 0.5):F0} ms, max {pageTimes[^1]:F0} ms (slowest: {clicks.MaxBy(c => c.Total)}); wall not Live at {wallLost} of {wallLooks} looks"));
        Output?.WriteLine($"Grid during 5 s of the storm: {linksReplaced} links replaced, {refreshedRows} rows marked changed; back to the grid by reloading it after {clicks.Count(c => c.Reloaded)} of {clicks.Count} clicks");
        Assert.True(connects > ClientCount * 2, $"only {connects} connects during the storm");
        // A connect may time out on a loaded machine; more than a few in a hundred is a broker problem.
        Assert.True(failures * 100 <= connects, $"{failures} of {connects} connects failed");
        Assert.True(refreshedRows > 0, "the grid did not refresh during the storm");
        Assert.Equal(0, linksReplaced);
        Assert.Equal(0, wallLost);

        // The end: every client connects once more; every fifth then leaves (persistent ones stay offline).
        await ForEachAsync(_clients, client => client.FinishAsync(Cancel), parallel: 50);
        // The clients' own view: each knows whether it is connected; every one that stayed must still be.
        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
        var online = _clients.Where(c => c.IsConnected).Select(c => c.Id).ToHashSet();
        var offline = _clients.Where(c => !c.IsConnected && c.Persistent).Select(c => c.Id).ToHashSet();
        Assert.Equal(_clients.Where(c => c.EndsOnline).Select(c => c.Id).Order(StringComparer.Ordinal), online.Order(StringComparer.Ordinal));
        Assert.Equal(100, offline.Count);

        // What the dashboard's own API lists must be what the clients know, session for session.
        Dictionary<string, bool> listed;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            listed = (await _app.SessionShowAsync($"--client_id&--is_online&--limit=5000&--client_id=~{Uri.EscapeDataString("^" + Prefix)}"))
                .ToDictionary(row => row.GetProperty("client_id").GetString()!, row => row.GetProperty("is_online").GetBoolean());
            if (Matches(listed, online, offline) || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(500, Cancel);
        }
        Assert.Equal(online.Order(StringComparer.Ordinal), listed.Where(l => l.Value).Select(l => l.Key).Order(StringComparer.Ordinal));
        Assert.Equal(offline.Order(StringComparer.Ordinal), listed.Where(l => !l.Value).Select(l => l.Key).Order(StringComparer.Ordinal));

        // The wall and the grid follow to the same numbers.
        await Assertions.Expect(Tile(wall, "Sessions online")).ToHaveTextAsync("800", new() { Timeout = 30_000 });
        await Assertions.Expect(Tile(wall, "Persistent sessions offline")).ToHaveTextAsync("100");
        await Assertions.Expect(wall.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live");
        var firstOffline = _clients.First(c => c.Persistent && !c.EndsOnline).Id;
        await Assertions.Expect(grid.GetByRole(AriaRole.Region, new() { Name = "Sessions" }).GetByRole(AriaRole.Row)
            .Filter(new() { Has = grid.GetByRole(AriaRole.Link, new() { Name = firstOffline, Exact = true }) }).Locator("td[data-label='is_online']"))
            .ToHaveTextAsync("false", new() { Timeout = 30_000 });
        await Chromium.ScreenshotAsync(grid, "storm-grid-after");
        await Chromium.ScreenshotAsync(wall, "storm-wall-after");

        // Memory: back within 10% of the baseline once the app has settled (it returns spare memory, free
        // space between live objects included, after 30 quiet seconds, see Dashboard/Hosting/MemoryTrim.cs).
        var settleClock = Stopwatch.StartNew();
        var after = await MemoryAsync();
        while (after.Resident > before.Resident * 1.1 && settleClock.Elapsed < TimeSpan.FromSeconds(75))
        {
            await Task.Delay(5_000, Cancel);
            after = await MemoryAsync();
        }
        Output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Memory: before {before}; peak RSS {Mb(peak)} MB; after {settleClock.Elapsed.TotalSeconds:F0} s settling {after} ({100.0 * after.Resident / before.Resident:F0}% of the baseline)"));
        Assert.True(after.Resident <= before.Resident * 1.1, $"resident memory {Mb(after.Resident)} MB did not come back within 10% of the baseline {Mb(before.Resident)} MB");
        // Bound on what a person waits: from the click event to the heading, timed in the page. Playwright's
        // own side adds its actionability checks (two stable animation frames, hit testing), which on two
        // loaded cores took up to 6 s before the click was even dispatched (CI, 2026-11-28: in the page
        // 1.8 s, as Playwright saw it 7.8 s); it is reported, not bounded.
        var slowest = clicks.MaxBy(c => c.PageTotal)!;
        Assert.True(slowest.PageTotal <= ClickBound.TotalMilliseconds, $"the slowest click took {slowest.PageTotal:F0} ms in the page (slowest: {slowest})");
    }

    /// <summary>The app's memory after full garbage collections: resident, GC heap (free space between live objects included), that free space, and GC-committed.</summary>
    private async Task<Memory> MemoryAsync()
    {
        await _app.CollectGarbageAsync();
        var metrics = await _app.MetricsAsync();
        Assert.True(metrics.ContainsKey(FragmentationMetric), "the app's /metrics has no " + FragmentationMetric);
        return new Memory(_app.ResidentBytes(), (long)metrics.GetValueOrDefault("dotnet_gc_last_collection_heap_size_bytes"),
            (long)metrics[FragmentationMetric],
            (long)metrics.GetValueOrDefault("dotnet_gc_last_collection_memory_committed_size_bytes"));
    }

    private const string FragmentationMetric = "dotnet_gc_last_collection_heap_fragmentation_size_bytes";

    /// <summary>
    /// The app's memory once it has settled, for at most 90 s: the GC holds no spare the app's trim would
    /// return (beyond the live objects, under 16 MB or under half of them; Dashboard/Hosting/MemoryTrim.cs),
    /// and two looks 5 s apart are within 1%.
    /// </summary>
    private async Task<Memory> SettledMemoryAsync()
    {
        var clock = Stopwatch.StartNew();
        var memory = await MemoryAsync();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(5_000, Cancel);
            var next = await MemoryAsync();
            var spare = next.Committed - next.Live;
            var settled = (spare < 16L * 1024 * 1024 || spare <= next.Live / 2) && Math.Abs(next.Resident - memory.Resident) <= memory.Resident / 100;
            memory = next;
            if (settled)
            {
                break;
            }
        }
        return memory;
    }

    private sealed record Memory(long Resident, long Heap, long Fragmented, long Committed)
    {
        public long Live => Heap - Fragmented;

        public override string ToString() => $"RSS {Mb(Resident)} MB, GC heap {Mb(Heap)} MB (free within it {Mb(Fragmented)} MB), GC committed {Mb(Committed)} MB";
    }

    /// <summary>
    /// A click's milliseconds until the browser's address changed and until the detail page showed, as the
    /// test saw them and as the page itself timed them from the click event.
    /// </summary>
    private sealed record Click(double Address, double Total, double PageAddress, double PageTotal, bool Reloaded = false)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"address {Address:F0} ms, page {Total:F0} ms; in the page {PageAddress:F0} and {PageTotal:F0} ms{(Reloaded ? "; back did not return, grid reloaded" : "")}");
    }

    private static bool Matches(Dictionary<string, bool> listed, HashSet<string> online, HashSet<string> offline) =>
        listed.Count == online.Count + offline.Count
        && online.All(id => listed.TryGetValue(id, out var on) && on)
        && offline.All(id => listed.TryGetValue(id, out var on) && !on);

    /// <summary>Clicks a persistent session's link in the grid and times it until its detail page shows, then goes back.</summary>
    private static async Task<Click> ClickIntoDetailAsync(IPage grid, int round)
    {
        // Among the first page's rows (the grid shows 50 a page, sorted by client id).
        var id = StormClient.IdOf(round * 14 % 40 * 2);
        var link = grid.GetByRole(AriaRole.Region, new() { Name = "Sessions" }).GetByRole(AriaRole.Link, new() { Name = id, Exact = true });
        await Assertions.Expect(link).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var gridUrl = grid.Url;
        // Timed in the page as well, from the click event to the heading in the document: what a person
        // waits, without Playwright's own checks and polling (which on a busy machine add their share).
        // The wait for the heading is the page's own observer too: Playwright's role locators poll by
        // computing the accessibility names of the whole page on its main thread, and a trace of quiet
        // clicks (2026-11-29) found that polling in the slow ones, 40-60% of the main thread between the
        // click and the heading: the test slowed down the very page it timed.
        await grid.EvaluateAsync("""
            id => {
                let seenHeading;
                window.headingSeen = new Promise(resolve => seenHeading = resolve);
                window.clickTimes = { click: 0, address: 0, heading: 0 };
                document.addEventListener('click', () => { if (!window.clickTimes.click) window.clickTimes.click = performance.now(); }, { capture: true, once: true });
                const push = history.pushState;
                history.pushState = function (...args) {
                    if (!window.clickTimes.address) window.clickTimes.address = performance.now();
                    return push.apply(this, args);
                };
                const seen = new MutationObserver(() => {
                    for (const heading of document.querySelectorAll('h2')) {
                        if (heading.textContent.includes(id)) { window.clickTimes.heading = performance.now(); seen.disconnect(); history.pushState = push; seenHeading(); return; }
                    }
                });
                seen.observe(document.body, { childList: true, subtree: true, characterData: true });
            }
            """, id);
        var clock = Stopwatch.StartNew();
        await link.ClickAsync(new() { Timeout = 30_000 });
        await grid.WaitForURLAsync(url => url.EndsWith("/sessions/" + id, StringComparison.Ordinal), new() { Timeout = 30_000 });
        var address = clock.Elapsed.TotalMilliseconds;
        await grid.EvaluateAsync("() => window.headingSeen").WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        var total = clock.Elapsed.TotalMilliseconds;
        // Then, once, that it is the detail page's heading as a person (or a screen reader) meets it.
        await Assertions.Expect(grid.GetByRole(AriaRole.Heading, new() { Level = 2, Name = id, Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var inPage = await grid.EvaluateAsync<double[]>("() => [window.clickTimes.address - window.clickTimes.click, window.clickTimes.heading - window.clickTimes.click]");
        var click = new Click(address, total, inPage[0], inPage[1]);
        // Back to the grid. Once in a CI run (2026-11-28) the browser's back left the tab on the detail page
        // for 30 s under the storm; how the test returns is not what it measures, so it then loads the
        // grid's address afresh (a new circuit) and says so in the output.
        await grid.GoBackAsync();
        var run = grid.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true });
        try
        {
            await Assertions.Expect(run).ToBeEnabledAsync(new() { Timeout = 15_000 });
        }
        catch (PlaywrightException)
        {
            click = click with { Reloaded = true };
            await grid.GotoAsync(gridUrl);
            await Assertions.Expect(run).ToBeEnabledAsync(new() { Timeout = 30_000 });
        }
        return click;
    }

    private static ILocator Tile(IPage wall, string name) =>
        wall.GetByRole(AriaRole.Group, new() { Name = name, Exact = true }).Locator(".value");

    private static double Percentile(List<double> sorted, double quantile) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];

    private static long Mb(long bytes) => bytes / 1_048_576;

    private static Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> action, int parallel) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = Cancel }, async (item, _) => await action(item));

    /// <summary>
    /// One MQTT client id of the storm. Even indexes keep a persistent session (MQTT 5 with an hour's
    /// expiry, or MQTT 3.1.1 with clean session off); odd ones connect clean. Every third speaks MQTT 3.1.1.
    /// </summary>
    private sealed class StormClient(int index) : IDisposable
    {
        private static readonly MqttClientFactory Factory = new();
        private IMqttClient? _current;

        public int Port { get; set; }

        public string Id { get; } = IdOf(index);

        public bool Persistent => index % 2 == 0;

        /// <summary>Whether the client stays connected at the end; every fifth leaves.</summary>
        public bool EndsOnline => index % 5 != 0;

        public long Connects { get; private set; }

        public bool IsConnected => _current is { IsConnected: true };

        public long Failures { get; private set; }


        public string? LastError { get; private set; }

        public static string IdOf(int index) => $"{Prefix}{(index % 2 == 0 ? "p" : "c")}-{index:D4}";

        public async Task ConnectAsync(CancellationToken cancellationToken)
        {
            _current = await ConnectNewAsync(cancellationToken);
        }

        /// <summary>
        /// Until stopped: stays connected a moment, then leaves one of three ways and comes back at once:
        /// a DISCONNECT (six in ten), a dropped socket without one (three in ten), or a second connection
        /// with the same id that takes the session over while the first is still open (one in ten).
        /// </summary>
        public async Task StormAsync(CancellationToken stop)
        {
            var random = new Random(index);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(random.Next(100, 1_500), stop);
                    if (_current is not { IsConnected: true })
                    {
                        _current?.Dispose();
                        _current = await ConnectNewAsync(stop);
                        continue;
                    }
                    var way = random.Next(10);
                    var old = _current;
                    _current = null;
                    if (way < 6)
                    {
                        await old.DisconnectAsync(cancellationToken: stop);
                        old.Dispose();
                        _current = await ConnectNewAsync(stop);
                    }
                    else if (way < 9)
                    {
                        old.Dispose();
                        _current = await ConnectNewAsync(stop);
                    }
                    else
                    {
                        try
                        {
                            _current = await ConnectNewAsync(stop);
                        }
                        finally
                        {
                            old.Dispose();
                        }
                    }
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    // Stopped in the middle of a connect or disconnect.
                    break;
                }
                catch (Exception exception)
                {
                    // A connect refused or timed out under load: counted; the next round connects again.
                    Failures++;
                    LastError = exception.GetType().Name + ": " + exception.Message;
                }
            }
        }

        /// <summary>Connects once more (a fresh connection) and, for every fifth client, disconnects.</summary>
        public async Task FinishAsync(CancellationToken cancellationToken)
        {
            _current?.Dispose();
            _current = null;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    _current = await ConnectNewAsync(cancellationToken);
                    break;
                }
                catch (Exception) when (attempt < 5 && !cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(500, cancellationToken);
                }
            }
            if (!EndsOnline)
            {
                await _current.DisconnectAsync(cancellationToken: cancellationToken);
                _current.Dispose();
                _current = null;
            }
        }

        private async Task<IMqttClient> ConnectNewAsync(CancellationToken cancellationToken)
        {
            var client = Factory.CreateMqttClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Port).WithClientId(Id)
                .WithProtocolVersion(index % 3 == 0 ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500)
                .WithCleanSession(!Persistent).WithCredentials("storm-user-" + (index % 10).ToString(CultureInfo.InvariantCulture), "")
                .WithTimeout(TimeSpan.FromSeconds(15));
            if (Persistent && index % 3 != 0)
            {
                options.WithSessionExpiryInterval(3600);
            }
            var clock = Stopwatch.StartNew();
            try
            {
                await client.ConnectAsync(options.Build(), cancellationToken);
            }
            catch (Exception e)
            {
                client.Dispose();
                throw new InvalidOperationException($"after {clock.ElapsedMilliseconds} ms: {e.Message}", e);
            }
            Connects++;
            return client;
        }

        public void Dispose()
        {
            _current?.Dispose();
            _current = null;
        }
    }
}
