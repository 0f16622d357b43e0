using Microsoft.Playwright;
using Microsoft.Playwright.Xunit.v3;

namespace Dashboard.E2E;

/// <summary>
/// A Playwright page test in Debian's Chromium against <see cref="DashboardApp"/>, with a screenshot
/// in the test output directory when a test fails.
/// </summary>
public abstract class DashboardPageTest(DashboardApp app) : PageTest
{
    private const string ChromiumPath = "/usr/bin/chromium";

    // Without the networking flags Chromium keeps trying to reach Google's services on a closed network.
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    // A fresh app takes several seconds before its first circuit is interactive.
    private static readonly float InteractiveTimeout = 30_000;

    protected DashboardApp App { get; } = app;

    /// <summary>Where screenshots go: under the test output directory.</summary>
    protected static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public override Task<BrowserTypeLaunchOptions?> LaunchOptionsAsync()
    {
        // Playwright cannot download browsers here; the tests use the distribution's and say so when it is missing.
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {ChromiumPath}. Install Debian's `chromium` package (sudo apt-get install chromium) or run ./test.sh, which installs it.");
        }
        return Task.FromResult<BrowserTypeLaunchOptions?>(new() { ExecutablePath = ChromiumPath, Args = ChromiumArgs, Headless = true });
    }

    public override BrowserNewContextOptions ContextOptions() => new()
    {
        Locale = "en-US",
        ColorScheme = ColorScheme.Light,
        ViewportSize = new() { Width = 1280, Height = 800 },
    };

    /// <summary>Who the browser context is signed in as before the test starts; null: nobody.</summary>
    protected virtual string? SignedInAs => "admin";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        SetDefaultExpectTimeout(10_000);
        if (SignedInAs is { } user)
        {
            // The real cookie from the real form (signed in once per user over HTTP), so each test
            // starts where a signed-in user would; the sign-in tests use the form in the browser.
            await Context.AddCookiesAsync(
            [
                new Cookie
                {
                    Name = DashboardApp.CookieName, Value = await App.SignInCookieAsync(user), Url = App.BaseUrl,
                    HttpOnly = true, SameSite = SameSiteAttribute.Strict,
                },
            ]);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (!TestOk() && Page is not null)
        {
            var name = TestContext.Current.Test?.TestDisplayName ?? "unknown";
            var path = await SaveScreenshotAsync("failed-" + string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '_')));
            TestContext.Current.TestOutputHelper?.WriteLine($"Screenshot of the failed test: {path}");
        }
        await base.DisposeAsync();
    }

    /// <summary>Opens the sessions page and waits until its circuit answers clicks.</summary>
    protected async Task OpenSessionsAsync(string path = "/sessions")
    {
        await Page.GotoAsync(App.BaseUrl + path);
        // Run is disabled until the circuit is interactive: before that, clicks and typing are lost.
        await Expect(RunButton).ToBeEnabledAsync(new() { Timeout = InteractiveTimeout });
    }

    protected ILocator QueryBox => Page.GetByRole(AriaRole.Textbox, new() { Name = "Query" });

    protected ILocator RunButton => Page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true });

    protected ILocator SessionsTable => Page.GetByRole(AriaRole.Region, new() { Name = "Sessions" }).GetByRole(AriaRole.Table);

    protected ILocator Cell(string text) => SessionsTable.GetByRole(AriaRole.Cell, new() { Name = text, Exact = true });

    protected async Task<string> SaveScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await Chromium.FullPageAsync(Page, path);
        return path;
    }
}
