using Microsoft.Playwright;

namespace Dashboard.E2E;

/// <summary>The pages work under their own Content-Security-Policy: nothing they need is refused.</summary>
public sealed class SecurityHeadersTests(DashboardApp app) : DashboardPageTest(app)
{
    [Fact]
    public async Task Pages_UnderTheirPolicy_LoadInteractiveWithoutViolations()
    {
        var violations = new List<string>();
        Page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };

        var response = await Page.GotoAsync(App.BaseUrl + "/sessions");
        var headers = await response!.AllHeadersAsync();
        await Expect(RunButton).ToBeEnabledAsync(new() { Timeout = 30_000 });
        // The column chooser is interactive markup from MudBlazor: styles and scripts both in play.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Columns" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Checkbox).First).ToBeVisibleAsync();

        // The wall imports its own module; "Live" needs it.
        await Page.GotoAsync(App.BaseUrl + "/wall");
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live", new() { Timeout = 30_000 });

        Assert.Contains("script-src 'self';", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Equal("DENY", headers["x-frame-options"]);
        Assert.Empty(violations);
    }
}
