using System.Text;
using System.Text.RegularExpressions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Playwright;

namespace Dashboard.E2E;

/// <summary>
/// The dashboard on a phone (390 × 844 CSS pixels, a common phone's viewport) in light and dark: the app
/// bar fits, the query controls fold away so rows come first, and the drawer opens over the page.
/// </summary>
public sealed class PhoneLayoutTests(DashboardApp app) : DashboardPageTest(app)
{
    private const int Width = 390;
    private const int Height = 844;

    public override BrowserNewContextOptions ContextOptions() => new()
    {
        Locale = "en-US",
        ColorScheme = ColorScheme.Light,
        ViewportSize = new() { Width = Width, Height = Height },
        IsMobile = true,
        HasTouch = true,
    };

    public static TheoryData<string> Themes => ["light", "dark"];

    [Theory]
    [MemberData(nameof(Themes))]
    public async Task Sessions_OnAPhone_AppBarFitsAndRowsShowFirst(string theme)
    {
        var clientId = $"phone-{theme}-sensor-with-a-long-client-id";
        App.Store.Apply(new ClientConnected(new QueueKey("", clientId), false, "field-technician", "192.168.100.200", 51234, 5, SessionExpiry: 3600));
        await Page.EmulateMediaAsync(new() { ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light });

        // The Run button is folded away (and out of the accessibility tree); the fold's button is enabled once interactive.
        await Page.GotoAsync(App.BaseUrl + "/sessions?q=" + Uri.EscapeDataString($"--client_id=~^phone-{theme}-"));
        var toggle = Page.GetByRole(AriaRole.Button, new() { Name = "Query and filters" });
        await Expect(toggle).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await Expect(Cell(clientId)).ToBeVisibleAsync();
        if (theme == "dark")
        {
            await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" })).ToBeVisibleAsync();
        }

        // Everything in the app bar is on the screen, Sign out and who is signed in included.
        foreach (var item in new[]
        {
            Page.GetByRole(AriaRole.Button, new() { Name = "Navigation", Exact = true }),
            Page.GetByRole(AriaRole.Group, new() { Name = "Session counts" }),
            Page.GetByRole(AriaRole.Button, new() { Name = theme == "dark" ? "Switch to light theme" : "Switch to dark theme" }),
            Page.Locator(".signed-in-as"),
            Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }),
        })
        {
            await AssertOnScreenAsync(item);
        }
        Assert.Equal(Width, await Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));

        // The query controls are folded behind one button, and the first row is on the first screen.
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(QueryBox).ToBeHiddenAsync();
        var firstRow = SessionsTable.GetByRole(AriaRole.Row).Nth(1);
        await Expect(firstRow).ToContainTextAsync(clientId);
        // The row is wider than the phone (the grid scrolls sideways, as a table should), but on the first screen.
        var row = await firstRow.BoundingBoxAsync();
        Assert.NotNull(row);
        Assert.True(row.Y >= 0 && row.Y + row.Height <= Height, $"the first row spans y {row.Y} to {row.Y + row.Height}, below the {Height} px screen");
        await AssertOnScreenAsync(firstRow.GetByRole(AriaRole.Checkbox));
        await Page.ScreenshotAsync(new() { Path = ScreenshotPath($"phone-{theme}-sessions") });
        var report = new StringBuilder();
        await AccessibilityTests.AuditAsync(Page, "phone sessions", report);

        // Unfolded, the query box works as on a wide screen.
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(QueryBox).ToBeVisibleAsync();
        await Page.ScreenshotAsync(new() { Path = ScreenshotPath($"phone-{theme}-query-open") });
        await QueryBox.FillAsync("--client_id --user --client_id=" + clientId);
        await RunButton.ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("--user"));
        await Expect(Cell("field-technician")).ToBeVisibleAsync();

        // The drawer starts closed on a phone, opens over the page and closes once a link is followed.
        var drawer = Page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" });
        await Expect(drawer).ToBeHiddenAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Navigation", Exact = true }).ClickAsync();
        await Expect(drawer).ToBeInViewportAsync();
        await Page.ScreenshotAsync(new() { Path = ScreenshotPath($"phone-{theme}-drawer") });
        await AccessibilityTests.AuditAsync(Page, "phone drawer", report);
        await drawer.GetByRole(AriaRole.Link, new() { Name = "Audit log", Exact = true }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/audit$"));
        await Expect(drawer).ToBeHiddenAsync();
        await Page.ScreenshotAsync(new() { Path = ScreenshotPath($"phone-{theme}-audit") });
        Assert.True(report.Length == 0, $"axe-core found violations on the phone ({theme} theme):\n{report}");
    }

    [Fact]
    public async Task SessionDetail_OnAPhone_NothingWiderThanTheScreen()
    {
        var clientId = "phone-detail-client";
        App.Store.Apply(new ClientConnected(new QueueKey("", clientId), false, "field-technician", "192.168.100.200", 51235, 5, SessionExpiry: 3600));

        await Page.GotoAsync(App.BaseUrl + "/sessions/" + clientId);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = clientId, Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await AssertOnScreenAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }));
        await Chromium.FullPageAsync(Page, ScreenshotPath("phone-light-detail"));
        Assert.Equal(Width, await Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
    }

    private static async Task AssertOnScreenAsync(ILocator element)
    {
        var box = await element.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= Width + 0.5 && box.Y + box.Height <= Height + 0.5,
            $"{element} is at ({box.X}, {box.Y}) size {box.Width} × {box.Height}, not within the {Width} × {Height} screen");
    }

    // The viewport as the phone shows it, not the whole page: what is on the first screen is the point.
    private static string ScreenshotPath(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        return Path.Combine(ScreenshotDirectory, name + ".png");
    }
}
