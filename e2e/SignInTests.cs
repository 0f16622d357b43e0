using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Dashboard.Security;
using Microsoft.Playwright;

namespace Dashboard.E2E;

/// <summary>Signing in and out through the real form in Chromium, what each role sees, and a TV's wall link.</summary>
public sealed class SignInTests(DashboardApp app) : DashboardPageTest(app)
{
    // Each test starts like a browser that has never signed in.
    protected override string? SignedInAs => null;

    private ILocator UserName => Page.GetByLabel("User name");

    private ILocator Password => Page.GetByLabel("Password");

    private ILocator SignInButton => Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" });

    private async Task SignInThroughTheFormAsync(string user, string password)
    {
        await UserName.FillAsync(user);
        await Password.FillAsync(password);
        await SignInButton.ClickAsync();
    }

    [Fact]
    public async Task SignIn_ThroughTheForm_BackToThePageAskedForThenSignOut()
    {
        App.AddUser("e2e-operator", UserRole.Operator);
        App.Store.Apply(new ClientConnected(new QueueKey("", "signin-e2e-client"), true, null, "127.0.0.1", 1001, 5));

        await Page.GotoAsync(App.BaseUrl + "/sessions?q=" + Uri.EscapeDataString("--client_id=signin-e2e-client"));
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?returnUrl="));
        await Expect(SignInButton).ToBeVisibleAsync();
        await SignInThroughTheFormAsync("e2e-operator", "wrong password!");
        await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong user name or password");
        var screenshot = await SaveScreenshotAsync("login-failed");
        TestContext.Current.TestOutputHelper?.WriteLine($"Sign-in page: {screenshot}");

        await SignInThroughTheFormAsync("e2e-operator", DashboardApp.UserPassword);

        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sessions\\?q="));
        await Expect(RunButton).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await Expect(Cell("signin-e2e-client")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true })).ToBeVisibleAsync();
        await Expect(Page.GetByText("Operator", new() { Exact = true })).ToBeVisibleAsync();
        await SaveScreenshotAsync("signed-in-operator");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(SignInButton).ToBeVisibleAsync();
        await Page.GotoAsync(App.BaseUrl + "/sessions");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
    }

    [Fact]
    public async Task Viewer_SeesSessionsButNoActions()
    {
        App.AddUser("e2e-viewer", UserRole.Viewer);
        App.Store.Apply(new ClientConnected(new QueueKey("", "viewer-e2e-client"), true, null, "127.0.0.1", 1002, 5));
        await Page.GotoAsync(App.BaseUrl + "/login?returnUrl=" + Uri.EscapeDataString("/sessions?q=--client_id=viewer-e2e-client"));

        await SignInThroughTheFormAsync("e2e-viewer", DashboardApp.UserPassword);

        await Expect(RunButton).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await Expect(Cell("viewer-e2e-client")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Reauthorize", Exact = true })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Select all matching" })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Group, new() { Name = "Export" })).ToBeVisibleAsync();
        await SaveScreenshotAsync("signed-in-viewer");

        await Page.GotoAsync(App.BaseUrl + "/sessions/viewer-e2e-client");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "viewer-e2e-client" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task WallLink_FreshBrowserWithoutUser_OpensTheWallOnly()
    {
        var token = App.CreateWallToken("e2e-lobby");

        await Page.GotoAsync($"{App.BaseUrl}/wall?token={token}&title=Lobby");

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Lobby" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        var refused = await Page.GotoAsync(App.BaseUrl + "/sessions");
        Assert.Equal(403, refused?.Status);
    }

    [Fact]
    public async Task WallLink_UnknownToken_SaysSoInsteadOfAForm()
    {
        var response = await Page.GotoAsync($"{App.BaseUrl}/wall?token=mqdw_unknown");

        Assert.Equal(401, response?.Status);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "This wall link is not valid" })).ToBeVisibleAsync();
        await Expect(SignInButton).ToHaveCountAsync(0);
    }
}
