using Microsoft.Playwright;

namespace Dashboard.E2E;

/// <summary>
/// Debian's Chromium for tests that drive an app process of their own (the page tests of the shared app
/// use <see cref="DashboardPageTest"/>): launched headless, contexts signed in through the real form.
/// </summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    // Without the networking flags Chromium keeps trying to reach Google's services on a closed network.
    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {ExecutablePath}. Install Debian's `chromium` package (sudo apt-get install chromium) or run ./test.sh, which installs it.");
        }
        return playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Args = Args, Headless = true });
    }

    /// <summary>A context signed in to <paramref name="baseUrl"/> as <paramref name="user"/> (cookie from the real form), or nobody.</summary>
    public static async Task<IBrowserContext> NewContextAsync(IBrowser browser, string baseUrl, string? user = "admin", string password = DashboardApp.AdminPassword)
    {
        var context = await browser.NewContextAsync(new()
        {
            Locale = "en-US",
            ColorScheme = ColorScheme.Light,
            ViewportSize = new() { Width = 1280, Height = 800 },
        });
        if (user is not null)
        {
            await context.AddCookiesAsync(
            [
                new Cookie
                {
                    Name = FormSignIn.CookieName, Value = await FormSignIn.GetCookieAsync(baseUrl, user, password), Url = baseUrl,
                    HttpOnly = true, SameSite = SameSiteAttribute.Strict,
                },
            ]);
        }
        return context;
    }

    /// <summary>Saves a full-page screenshot under the test output directory and returns its path (<see cref="FullPageAsync"/>).</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".png");
        await FullPageAsync(page, path);
        return path;
    }

    /// <summary>Saves a full-page screenshot to <paramref name="path"/>.</summary>
    /// <remarks>
    /// Taken from the top of the page, then scrolled back: a full-page capture of a scrolled page draws the
    /// fixed app bar as far down as the page was scrolled, over the content, which looked like a layout
    /// fault that a person at the browser never sees (the storm test's grid, 2026-11-28).
    /// </remarks>
    public static async Task FullPageAsync(IPage page, string path)
    {
        // A page that no longer runs scripts (a failed test's last look) is still captured, as it stands.
        double[]? scrolled = null;
        try
        {
            scrolled = await page.EvaluateAsync<double[]>("() => { const at = [scrollX, scrollY]; scrollTo(0, 0); return at; }");
        }
        catch (PlaywrightException)
        {
        }
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        if (scrolled is not null)
        {
            await page.EvaluateAsync("at => scrollTo(at[0], at[1])", scrolled);
        }
    }
}
