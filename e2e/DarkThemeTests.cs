using System.Globalization;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Playwright;

namespace Dashboard.E2E;

/// <summary>A browser that prefers dark gets the dark theme, and the grid and detail page stay readable in it.</summary>
public sealed class DarkThemeTests(DashboardApp app) : DashboardPageTest(app)
{
    public override BrowserNewContextOptions ContextOptions() => new()
    {
        Locale = "en-US",
        ColorScheme = ColorScheme.Dark,
        ViewportSize = new() { Width = 1280, Height = 800 },
    };

    [Fact]
    public async Task Sessions_BrowserPrefersDark_DarkThemeWithReadableText()
    {
        App.Store.Apply(new ClientConnected(new QueueKey("", "dark-e2e-client"), true, "night-shift", "127.0.0.1", 1234, 5));

        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString("--client_id --user --is_online --client_id=~^dark-e2e"));
        await Expect(Cell("dark-e2e-client")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" })).ToBeVisibleAsync();

        var background = await LuminanceAsync("getComputedStyle(document.querySelector('.mud-main-content')).backgroundColor");
        var text = await LuminanceAsync("getComputedStyle(document.querySelector('.sessions-table td')).color");
        Assert.True(background < 0.2, $"background luminance {background}");
        Assert.True(text > 0.6, $"cell text luminance {text}");
        await SaveScreenshotAsync("sessions-dark");

        await Cell("dark-e2e-client").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "dark-e2e-client" })).ToBeVisibleAsync();
        await SaveScreenshotAsync("session-detail-dark");
    }

    // Relative luminance (0 black, 1 white) of a CSS rgb()/rgba() colour.
    private async Task<double> LuminanceAsync(string colourExpression)
    {
        var colour = await Page.EvaluateAsync<string>($"() => {colourExpression}");
        var parts = colour[(colour.IndexOf('(', StringComparison.Ordinal) + 1)..colour.IndexOf(')', StringComparison.Ordinal)]
            .Split(',').Take(3).Select(p => double.Parse(p.Trim(), CultureInfo.InvariantCulture) / 255).ToArray();
        static double Linear(double c) => c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        return (0.2126 * Linear(parts[0])) + (0.7152 * Linear(parts[1])) + (0.0722 * Linear(parts[2]));
    }
}
