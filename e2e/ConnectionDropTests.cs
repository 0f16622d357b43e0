using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>
/// Issue 11 §3, the browser's connection dropped and restored on every signed-in page: each page is
/// open in Chromium through a proxy the test cuts (every connection reset, new ones refused) and brings
/// back. While the browser is cut off a client connects and another is disconnected; afterwards every
/// page must have rejoined its circuit without a reload, show the change (the app bar's counts on all,
/// and the grid's row, the detail page's history, the wall's tiles where the page shows sessions) and
/// answer clicks again.
/// </summary>
public sealed class ConnectionDropTests : IAsyncLifetime
{
    private const string Prefix = "drop-";

    // An app of each test's own: the counts a page shows are exact.
    private readonly StormApp _app = new();
    private readonly List<IMqttClient> _clients = [];
    private CuttableProxy _proxy = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _app.InitializeAsync();
        _proxy = new CuttableProxy(_app.HttpPort);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        await _proxy.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact(Timeout = 240_000)]
    public async Task EveryPage_ConnectionCutAndRestored_RejoinsAndShowsWhatChangedMeanwhile()
    {
        var id = Prefix + Guid.NewGuid().ToString("N")[..6];
        await ConnectAsync(id + "-victim");
        await ConnectAsync(id + "-keeper");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await Chromium.NewContextAsync(browser, _app.BaseUrl);
        var scope = Uri.EscapeDataString($"--client_id=~^{id}");
        (string Name, string Path)[] pages =
        [
            ("sessions", $"/sessions?q={Uri.EscapeDataString($"--client_id --is_online --client_id=~^{id}")}"),
            ("detail", $"/sessions/{Uri.EscapeDataString(id + "-victim")}"),
            ("wall", $"/wall?q={scope}"),
            ("audit", "/audit"),
            ("users", "/admin/users"),
            ("keys", "/admin/keys"),
            ("tokens", "/admin/tokens"),
            ("blocks", "/blocks"),
            ("password", "/account/password"),
        ];
        var tabs = new Dictionary<string, IPage>();
        foreach (var (name, path) in pages)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(_proxy.BaseUrl + path);
            await WaitInteractiveAsync(page, name);
            tabs[name] = page;
        }
        await Assertions.Expect(Counts(tabs["sessions"])).ToHaveTextAsync(new Regex(@"^\s*2 online\s*0 offline\s*$"));

        _proxy.Cut();
        foreach (var (name, page) in tabs)
        {
            // Each page says it lost the server: Blazor's reconnect dialog opens (the tabs in the background
            // do not run its fade-in, so it is checked open rather than seen).
            await Assertions.Expect(ReconnectDialog(page)).ToHaveAttributeAsync("open", "", new() { Timeout = 30_000 });
        }
        await Chromium.ScreenshotAsync(tabs["sessions"], "drop-sessions-cut");
        await Chromium.ScreenshotAsync(tabs["wall"], "drop-wall-cut");

        // Meanwhile, on the server: a client arrives, another is disconnected by an operator (through the API).
        await ConnectAsync(id + "-arrived");
        Assert.StartsWith("200", await _app.ApiAsync($"/api/v1/session/disconnect?client-id={Uri.EscapeDataString(id + "-victim")}"), StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(3), Cancel);
        _proxy.Restore();

        foreach (var (name, page) in tabs)
        {
            await Assertions.Expect(ReconnectDialog(page)).Not.ToHaveAttributeAsync("open", "", new() { Timeout = 30_000 });
            if (name != "wall")
            {
                // The app bar's counts, on every page: the arrival and the persistent victim now offline.
                await Assertions.Expect(Counts(page)).ToHaveTextAsync(new Regex(@"^\s*2 online\s*1 offline\s*$"), new() { Timeout = 15_000 });
            }
        }
        var grid = tabs["sessions"].GetByRole(AriaRole.Region, new() { Name = "Sessions" });
        await Assertions.Expect(grid.GetByRole(AriaRole.Link, new() { Name = id + "-arrived", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(grid.GetByRole(AriaRole.Row).Filter(new() { HasText = id + "-victim" }).Locator("td[data-label='is_online']")).ToHaveTextAsync("false");
        await Assertions.Expect(tabs["detail"].GetByRole(AriaRole.List, new() { Name = "Recent online/offline history" }).GetByRole(AriaRole.Listitem).First)
            .ToContainTextAsync("Offline");
        await Assertions.Expect(tabs["wall"].GetByRole(AriaRole.Group, new() { Name = "Sessions online", Exact = true }).Locator(".value")).ToHaveTextAsync("2");
        await Assertions.Expect(tabs["wall"].GetByRole(AriaRole.Group, new() { Name = "Persistent sessions offline", Exact = true }).Locator(".value")).ToHaveTextAsync("1");
        await Assertions.Expect(tabs["wall"].GetByRole(AriaRole.Status)).ToHaveTextAsync("Live");
        await Chromium.ScreenshotAsync(tabs["sessions"], "drop-sessions-restored");

        // And each answers clicks again, on the circuit it had (none of them reloaded).
        foreach (var (name, page) in tabs)
        {
            Assert.True(await page.EvaluateAsync<bool>("() => window.beforeDrop === true"), $"the {name} page reloaded instead of rejoining");
            if (name != "wall")
            {
                await ToggleThemeAsync(page);
            }
        }
        // The audit page is not live: a new filter (a click on the circuit) shows what happened meanwhile.
        await tabs["audit"].GotoAsync(_proxy.BaseUrl + "/audit?target=" + Uri.EscapeDataString(id + "-victim"));
        await Assertions.Expect(tabs["audit"].GetByRole(AriaRole.Table)).ToContainTextAsync("session.disconnect");
    }

    [Fact(Timeout = 240_000)]
    public async Task SessionsPage_ConnectionSilentlyDropped_RejoinsAfterTheTimeoutAndCatchesUp()
    {
        var id = Prefix + Guid.NewGuid().ToString("N")[..6];
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await Chromium.NewContextAsync(browser, _app.BaseUrl);
        var page = await context.NewPageAsync();
        await page.GotoAsync(_proxy.BaseUrl + $"/sessions?q={Uri.EscapeDataString($"--client_id --is_online --client_id=~^{id}")}");
        await WaitInteractiveAsync(page, "sessions");

        // Nothing gets through, nothing is closed: only the circuit's own timeouts can tell (30 s).
        _proxy.Freeze();
        await ConnectAsync(id + "-silent");
        await Assertions.Expect(ReconnectDialog(page)).ToHaveAttributeAsync("open", "", new() { Timeout = 60_000 });
        _proxy.Restore();

        await Assertions.Expect(ReconnectDialog(page)).Not.ToHaveAttributeAsync("open", "", new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Sessions" }).GetByRole(AriaRole.Link, new() { Name = id + "-silent", Exact = true }))
            .ToBeVisibleAsync(new() { Timeout = 15_000 });
        await ToggleThemeAsync(page);
    }

    /// <summary>Waits until the page's circuit answers clicks, then marks the document (gone if the page reloads).</summary>
    private static async Task WaitInteractiveAsync(IPage page, string name)
    {
        if (name == "wall")
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        }
        else
        {
            // A click answered by the circuit: the theme button changes its label.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    await ToggleThemeAsync(page, TimeSpan.FromSeconds(2));
                    break;
                }
                catch (PlaywrightException) when (DateTime.UtcNow < deadline)
                {
                }
            }
        }
        await page.EvaluateAsync("() => { window.beforeDrop = true; }");
    }

    private static async Task ToggleThemeAsync(IPage page, TimeSpan? timeout = null)
    {
        var options = new LocatorAssertionsToBeVisibleOptions { Timeout = (float)(timeout ?? TimeSpan.FromSeconds(15)).TotalMilliseconds };
        var toDark = page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark theme" });
        var toLight = page.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" });
        if (await toDark.IsVisibleAsync())
        {
            await toDark.ClickAsync();
            await Assertions.Expect(toLight).ToBeVisibleAsync(options);
        }
        else
        {
            await toLight.ClickAsync();
            await Assertions.Expect(toDark).ToBeVisibleAsync(options);
        }
    }

    private static ILocator ReconnectDialog(IPage page) => page.Locator("#components-reconnect-modal");

    private static ILocator Counts(IPage page) => page.GetByRole(AriaRole.Group, new() { Name = "Session counts" });

    private async Task<IMqttClient> ConnectAsync(string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _app.MqttPort).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(false).WithSessionExpiryInterval(3600).Build(), Cancel);
        _clients.Add(client);
        return client;
    }
}
