using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>The wall screen against the app in its own process, with real MQTT clients.</summary>
public sealed class WallTests(DashboardApp app, AppProcess wall) : DashboardPageTest(app), IClassFixture<AppProcess>
{
    private const string Scope = "--client_id=~^wall-e2e-";

    // A fresh app takes several seconds before its first circuit is interactive.
    private static readonly LocatorAssertionsToHaveTextOptions Slow = new() { Timeout = 30_000 };

    // A TV has no user account: only the wall token in the URL.
    protected override string? SignedInAs => null;

    private ILocator Status => Page.GetByRole(AriaRole.Status);

    private ILocator Tile(string name) => Page.GetByRole(AriaRole.Group, new() { Name = name, Exact = true });

    private ILocator Ticker => Page.GetByRole(AriaRole.List, new() { Name = "Latest events" });

    public override BrowserNewContextOptions ContextOptions() => new()
    {
        Locale = "en-GB",
        ColorScheme = ColorScheme.Dark,
        ViewportSize = new() { Width = 1920, Height = 1080 },
    };

    private async Task<IMqttClient> ConnectMqttAsync(string clientId, bool persistent)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", wall.MqttPort).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500);
        if (persistent)
        {
            options.WithCleanStart(false).WithSessionExpiryInterval(3600);
        }
        await client.ConnectAsync(options.Build(), TestContext.Current.CancellationToken);
        return client;
    }

    [Fact]
    public async Task Wall_RealClientsComeAndGo_NumbersAndTickerFollow()
    {
        // As a TV opens it: the token in the URL, no user account.
        await Page.GotoAsync($"{wall.BaseUrl}/wall?token={wall.WallToken}&q={Uri.EscapeDataString(Scope)}&title={Uri.EscapeDataString("Plant 3")}");
        await Expect(Status).ToHaveTextAsync("Live", Slow);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Plant 3" })).ToBeVisibleAsync();
        // Nobody moves the mouse in front of a TV: the cursor goes after a few seconds.
        await Expect(Page.Locator("html")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bwall-cursor-hidden\b"));

        using var sensor = await ConnectMqttAsync("wall-e2e-sensor", persistent: true);
        using var pump = await ConnectMqttAsync("wall-e2e-pump", persistent: false);
        using var outsider = await ConnectMqttAsync("outside-scope", persistent: false);
        await sensor.SubscribeAsync("plant/3/#", cancellationToken: TestContext.Current.CancellationToken);

        await Expect(Tile("Sessions online")).ToContainTextAsync("2");
        await Expect(Tile("Subscriptions")).ToContainTextAsync("1");
        await Expect(Ticker.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "wall-e2e-pump" })).ToContainTextAsync("online");

        await sensor.DisconnectAsync(cancellationToken: TestContext.Current.CancellationToken);

        await Expect(Tile("Sessions online")).ToContainTextAsync("1");
        await Expect(Tile("Persistent sessions offline")).ToContainTextAsync("1");
        await Expect(Tile("Connects per minute")).ToContainTextAsync("2");
        await Expect(Tile("Disconnects per minute")).ToContainTextAsync("1");
        await Expect(Ticker.GetByRole(AriaRole.Listitem).First).ToContainTextAsync("wall-e2e-sensor");
        await Expect(Ticker.GetByRole(AriaRole.Listitem).First).ToContainTextAsync("offline");
        await Expect(Ticker).Not.ToContainTextAsync("outside-scope");
        await Expect(Status).ToHaveTextAsync("Live");
        var path = await SaveScreenshotAsync("wall");
        TestContext.Current.TestOutputHelper?.WriteLine($"Wall screenshot: {path}");
    }

    [Fact]
    public async Task Wall_AppRestarts_ShowsConnectionLostThenLiveWithoutAClick()
    {
        // The bookmarked link keeps working across the restart because it carries the token.
        await Page.GotoAsync($"{wall.BaseUrl}/wall?token={wall.WallToken}");
        await Expect(Status).ToHaveTextAsync("Live", Slow);
        // A mark on this document: it is gone only if the page reloaded itself.
        await Page.EvaluateAsync("() => { window.beforeRestart = true; }");

        await wall.StopAsync();
        await Expect(Status).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Connection lost, last update \d\d:\d\d:\d\d$"), Slow);
        await SaveScreenshotAsync("wall-connection-lost");
        await wall.StartAsync();

        await Expect(Status).ToHaveTextAsync("Live", new() { Timeout = 60_000 });
        // A restarted app cannot resume the old circuit, so "Live" again means the watchdog reloaded the page.
        Assert.False(await Page.EvaluateAsync<bool>("() => window.beforeRestart === true"));
        // Outside the other test's scope, whichever order the two run in.
        using var client = await ConnectMqttAsync("after-restart", persistent: false);
        await Expect(Tile("Sessions online")).ToContainTextAsync("1");
    }
}
