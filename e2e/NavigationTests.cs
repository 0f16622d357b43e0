using System.Text.RegularExpressions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Dashboard.Security;
using Microsoft.Playwright;

namespace Dashboard.E2E;

/// <summary>The navigation drawer on a wide screen: every page the role may open, the current one marked, all by keyboard.</summary>
public sealed class NavigationTests(DashboardApp app) : DashboardPageTest(app)
{
    private ILocator Drawer => Page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" });

    private ILocator DrawerLink(string name) => Drawer.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    [Fact]
    public async Task Drawer_Admin_ListsEveryPageAndMarksTheCurrentOne()
    {
        await OpenSessionsAsync();

        await Expect(Drawer).ToBeVisibleAsync();
        Assert.Equal(
            ["Sessions", "Wall screen", "Blocked clients", "Audit log", "Users", "API keys", "Wall tokens", "Change password"],
            (await Drawer.GetByRole(AriaRole.Link).AllInnerTextsAsync()).Select(text => text.Trim()));
        await Expect(DrawerLink("Sessions")).ToHaveAttributeAsync("aria-current", "page");
        await Expect(DrawerLink("Audit log")).Not.ToHaveAttributeAsync("aria-current", "page");
        await SaveScreenshotAsync("navigation-drawer-admin");

        await DrawerLink("Audit log").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/audit$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Audit log", Exact = true })).ToBeVisibleAsync();
        await Expect(DrawerLink("Audit log")).ToHaveAttributeAsync("aria-current", "page");
        await Expect(DrawerLink("Sessions")).Not.ToHaveAttributeAsync("aria-current", "page");
    }

    [Fact]
    public async Task Drawer_ByKeyboard_SkipLinkFirstThenEveryLink()
    {
        App.Store.Apply(new ClientConnected(new QueueKey("", "nav-e2e-client"), true, null, "127.0.0.1", 1201, 5));
        await Page.GotoAsync(App.BaseUrl + "/sessions/nav-e2e-client");
        // The session shows once the page is interactive.
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "nav-e2e-client", Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // A session's own page belongs to Sessions.
        await Expect(DrawerLink("Sessions")).ToHaveAttributeAsync("aria-current", "page");

        // The skip link comes before the app bar's first button; it shows when focused and moves the focus to the page.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Navigation", Exact = true }).FocusAsync();
        await Page.Keyboard.PressAsync("Shift+Tab");
        var skip = Page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" });
        await Expect(skip).ToBeFocusedAsync();
        await Expect(skip).ToBeInViewportAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByRole(AriaRole.Main)).ToBeFocusedAsync();

        // The drawer's links are in the tab order: Tab until "Users" has the focus, then follow it.
        var users = DrawerLink("Users");
        await users.FocusAsync();
        await Page.Keyboard.PressAsync("Shift+Tab");
        await Expect(DrawerLink("Audit log")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Tab");
        await Expect(users).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page).ToHaveURLAsync(new Regex("/admin/users$"));
        await Expect(users).ToHaveAttributeAsync("aria-current", "page");

        // The menu button closes and opens the drawer.
        var toggle = Page.GetByRole(AriaRole.Button, new() { Name = "Navigation", Exact = true });
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        // Closed, its links are out of the tab order too: Tab from the menu button goes elsewhere.
        await Expect(Drawer).ToBeHiddenAsync();
        await toggle.FocusAsync();
        await Page.Keyboard.PressAsync("Tab");
        Assert.False(await Page.EvaluateAsync<bool>("() => document.activeElement?.closest('#nav-drawer') != null"),
            "the focus went into the closed drawer");
        await toggle.ClickAsync();
        await Expect(Drawer).ToBeInViewportAsync();
    }

    [Fact]
    public async Task Drawer_Viewer_OnlyThePagesOfTheRole()
    {
        App.AddUser("e2e-nav-viewer", UserRole.Viewer);
        await Context.ClearCookiesAsync();
        await Context.AddCookiesAsync(
        [
            new Cookie
            {
                Name = DashboardApp.CookieName, Value = await App.SignInCookieAsync("e2e-nav-viewer"), Url = App.BaseUrl,
                HttpOnly = true, SameSite = SameSiteAttribute.Strict,
            },
        ]);

        await OpenSessionsAsync();

        Assert.Equal(["Sessions", "Wall screen", "Change password"],
            (await Drawer.GetByRole(AriaRole.Link).AllInnerTextsAsync()).Select(text => text.Trim()));

        // The wall is a screen of its own, without the drawer; Back returns to the dashboard as it was.
        await DrawerLink("Wall screen").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        await Expect(Drawer).ToHaveCountAsync(0);
        await Page.GoBackAsync();
        await Expect(RunButton).ToBeEnabledAsync();
        await Expect(Drawer).ToBeVisibleAsync();
        Assert.False(await Page.EvaluateAsync<bool>("() => document.documentElement.classList.contains('wall-screen')"),
            "the wall's full-screen style stayed on after leaving it");
    }
}
