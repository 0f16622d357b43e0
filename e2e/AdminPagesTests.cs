using Microsoft.Playwright;

namespace Dashboard.E2E;

/// <summary>An Admin's pages in Chromium: wall tokens made and revoked in the UI, users added, the audit log that records both.</summary>
public sealed class AdminPagesTests(DashboardApp app) : DashboardPageTest(app)
{
    private static readonly float Interactive = 30_000;

    [Fact]
    public async Task WallToken_CreatedInTheUi_OpensTheWallOnATvUntilRevoked()
    {
        var name = "e2e-tv-" + Guid.NewGuid().ToString("N")[..6];
        await Page.GotoAsync(App.BaseUrl + "/admin/tokens");
        var form = Page.GetByRole(AriaRole.Form, new() { Name = "Create wall token" });
        var create = form.GetByRole(AriaRole.Button, new() { Name = "Create wall token" });
        await Expect(create).ToBeEnabledAsync(new() { Timeout = Interactive });
        await form.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await form.GetByLabel("Wall title (optional)").FillAsync("Lobby TV");
        await create.ClickAsync();

        var dialog = Page.GetByRole(AriaRole.Dialog);
        var url = await dialog.GetByRole(AriaRole.Textbox).InputValueAsync();
        Assert.StartsWith(App.BaseUrl + "/wall?token=mqdw_", url, StringComparison.Ordinal);
        await SaveScreenshotAsync("admin-token-created");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = name })).ToContainTextAsync("Active");

        // The TV: a browser that never signed in, opening the link it was given.
        await using var tv = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 720 } });
        var wall = await tv.NewPageAsync();
        await wall.GotoAsync(url);
        await Expect(wall.GetByRole(AriaRole.Heading, new() { Name = "Lobby TV" })).ToBeVisibleAsync();
        await Expect(wall.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live", new() { Timeout = Interactive });

        await Page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {name}" }).ClickAsync();
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = name })).ToContainTextAsync("Revoked");
        await SaveScreenshotAsync("admin-token-revoked");

        // The open wall loses its access at the next check, without anyone touching the TV.
        await Expect(wall.GetByRole(AriaRole.Heading, new() { Name = "This wall link is not valid" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    [Fact]
    public async Task AddUser_ShowsInTheListAndInTheAuditLog()
    {
        var name = "e2e-new-" + Guid.NewGuid().ToString("N")[..6];
        await Page.GotoAsync(App.BaseUrl + "/admin/users");
        var form = Page.GetByRole(AriaRole.Form, new() { Name = "Add user" });
        var add = form.GetByRole(AriaRole.Button, new() { Name = "Add user" });
        await Expect(add).ToBeEnabledAsync(new() { Timeout = Interactive });

        await form.GetByLabel("User name").FillAsync(name);
        await form.GetByLabel("Password").FillAsync("short");
        await add.ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("at least");

        await form.GetByLabel("Password").FillAsync("a long enough password");
        await add.ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = name })).ToContainTextAsync("Viewer");
        await SaveScreenshotAsync("admin-users");

        await Page.GotoAsync(App.BaseUrl + "/audit?target=" + Uri.EscapeDataString(name));
        var entry = Page.GetByRole(AriaRole.Row).Filter(new() { HasText = name });
        await Expect(entry).ToHaveCountAsync(1, new() { Timeout = Interactive });
        await Expect(entry).ToContainTextAsync("admin");
        await SaveScreenshotAsync("audit-log");
    }
}
