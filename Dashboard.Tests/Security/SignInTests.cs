using System.Net;
using Dashboard.Security;
using Dashboard.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Security;

/// <summary>Sign-in, sign-out and the cookie over real HTTP against the real app.</summary>
public sealed class SignInTests : IAsyncLifetime
{
    private DashboardHost _host = null!;
    private BrowserClient _browser = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private UserStore Users => _host.Services.GetRequiredService<UserStore>();

    private AuditLog Audit => _host.Services.GetRequiredService<AuditLog>();

    public ValueTask InitializeAsync()
    {
        _host = DashboardHost.Start();
        _browser = new BrowserClient(_host.HttpUrl);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _browser.Dispose();
        await _host.DisposeAsync();
    }

    [Theory]
    [InlineData("/sessions")]
    [InlineData("/sessions/client1")]
    [InlineData("/")]
    [InlineData("/wall")]
    [InlineData("/export/sessions?format=json")]
    public async Task Get_Anonymous_RedirectsToTheSignInFormWithReturnUrl(string path)
    {
        using var response = await _browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?returnUrl=" + Uri.EscapeDataString(path), response.Headers.Location?.PathAndQuery);
    }

    [Fact]
    public async Task LoginPage_Anonymous_IsAFormWithLabelledFieldsAndAntiforgery()
    {
        var html = await _browser.GetStringAsync("/login");

        Assert.Contains("<form method=\"post\"", html, StringComparison.Ordinal);
        Assert.Matches("<label for=\"user-name\"[^>]*>User name</label>", html);
        Assert.Matches("<input id=\"user-name\" name=\"UserName\"", html);
        Assert.Matches("<label for=\"password\"[^>]*>Password</label>", html);
        Assert.Matches("<input id=\"password\" name=\"Password\" type=\"password\"", html);
        Assert.Matches("<button type=\"submit\"[^>]*>Sign in</button>", html);
        Assert.NotEmpty(BrowserClient.AntiforgeryToken(html));
        // A static page: no circuit is started for someone who is not signed in.
        Assert.DoesNotContain("<!--Blazor:{", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotFound_Anonymous_ShowsNoSessionCounts()
    {
        // The not-found page is open to anyone and shares the app's layout; the broker's counts are not.
        using var response = await _browser.GetAsync("/not-found");
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("MQTT Sessions", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Session counts", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("password-changed", true)]
    [InlineData("<script>alert(1)</script>", false)]
    [InlineData("", false)]
    public async Task LoginPage_Reason_OnlyTheKnownNoticeShows(string reason, bool shown)
    {
        var html = await _browser.GetStringAsync("/login?reason=" + Uri.EscapeDataString(reason));

        Assert.Equal(shown, html.Contains("Your password is changed: sign in with the new one.", StringComparison.Ordinal));
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("admin", "wrong-password")]
    [InlineData("nobody", "wrong-password")]
    public async Task SignIn_WrongPasswordOrUnknownUser_SameMessageNoCookie(string user, string password)
    {
        using var response = await _browser.SignInAsync(user, password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong user name or password", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Null(BrowserClient.SignInCookie(response));
    }

    [Fact]
    public async Task SignIn_EmptyFields_AskedForBoth()
    {
        using var response = await _browser.SignInAsync("", "");

        Assert.Contains("Enter your user name and password", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_FiveFailures_ThisAddressWaits_OtherAddressesDoNot()
    {
        for (var i = 0; i < UserStore.MaxFailedSignIns; i++)
        {
            using var failed = await _browser.SignInAsync("admin", "wrong-password");
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        using var response = await _browser.SignInAsync("admin", DashboardHost.AdminPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Too many failed sign-ins from your address: try again after ", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Null(BrowserClient.SignInCookie(response));
        Assert.Equal("Refused: too many failures from this address", Audit.Query(new AuditQuery { Action = AuditActions.SignIn, Limit = 1 }).Value.Entries.Single().Result);
        // The failures were counted for the client's own address (loopback here), not for the user.
        Assert.Equal(PasswordCheckStatus.LockedOut, Users.VerifyPassword("admin", DashboardHost.AdminPassword, "127.0.0.1").Status);
        Assert.Equal(PasswordCheckStatus.Success, Users.VerifyPassword("admin", DashboardHost.AdminPassword, "192.0.2.1").Status);
    }

    [Fact]
    public async Task SignIn_UnknownName_AnsweredAsAKnownOne_AlsoAfterFiveFailures()
    {
        for (var i = 0; i <= UserStore.MaxFailedSignIns; i++)
        {
            using var known = await _browser.SignInAsync("admin", "wrong-password");
            using var unknown = await _browser.SignInAsync("no-such-user", "wrong-password");
            var message = Message(await known.Content.ReadAsStringAsync(Cancel));
            Assert.NotEmpty(message);
            Assert.Equal(message, Message(await unknown.Content.ReadAsStringAsync(Cancel)));
        }

        // The form's message, without the antiforgery token and the time of day that differ per answer.
        static string Message(string page) =>
            System.Text.RegularExpressions.Regex.Match(page, "(Wrong user name or password|Too many failed sign-ins from your address)").Value;
    }

    [Fact]
    public async Task SignIn_RightPassword_HttpOnlyStrictCookieAndBackToTheReturnUrl()
    {
        using var response = await _browser.SignInAsync("admin", DashboardHost.AdminPassword, returnUrl: "/sessions?q=--client_id");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/sessions?q=--client_id", response.Headers.Location?.PathAndQuery);
        var cookie = BrowserClient.SignInCookie(response);
        Assert.NotNull(cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await _browser.GetAsync("/sessions")).StatusCode);
        Assert.Equal("Success", Audit.Query(new AuditQuery { Action = AuditActions.SignIn, Actor = "admin" }).Value.Entries.Single().Result);
    }

    [Theory]
    [InlineData("/\u00e9", "/%C3%A9")]
    [InlineData("/sessions?q=--client_id=\u4e2d \ud83d\ude00", "/sessions?q=--client_id=%E4%B8%AD%20%F0%9F%98%80")]
    public async Task SignIn_NonAsciiReturnUrl_RedirectsThereEncoded(string returnUrl, string expected)
    {
        using var response = await _browser.SignInAsync("admin", DashboardHost.AdminPassword, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location?.OriginalString is { } location && location.StartsWith('/') ? location : response.Headers.Location?.PathAndQuery);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/path")]
    [InlineData("/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("sessions")]
    public async Task SignIn_ForeignReturnUrl_GoesToTheSessionsPageInstead(string returnUrl)
    {
        using var response = await _browser.SignInAsync("admin", DashboardHost.AdminPassword, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(_host.HttpUrl.Authority, response.Headers.Location?.Authority);
        Assert.Equal("/sessions", response.Headers.Location?.AbsolutePath);
    }

    [Fact]
    public async Task SignIn_PostWithoutAntiforgeryToken_Refused()
    {
        using var response = await _browser.PostAsync("/login", ("_handler", "sign-in"), ("UserName", "admin"), ("Password", DashboardHost.AdminPassword));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(BrowserClient.SignInCookie(response));
    }

    [Fact]
    public async Task SignOut_WithoutAntiforgeryToken_400AndStillSignedIn()
    {
        using var browser = await _host.SignInAsync();

        using var response = await browser.PostAsync("/logout");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/sessions")).StatusCode);
    }

    [Fact]
    public async Task SignOut_Get_NotASignOut()
    {
        using var browser = await _host.SignInAsync();

        using var response = await browser.GetAsync("/logout");

        Assert.NotEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/sessions")).StatusCode);
    }

    [Fact]
    public async Task SignOut_FormFromTheAppBar_SignsOutAndGoesToTheForm()
    {
        using var browser = await _host.SignInAsync();
        var page = await browser.GetStringAsync("/sessions");
        Assert.Matches("<button type=\"submit\"[^>]*>Sign out</button>", page);

        using var response = await browser.SignOutAsync();

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/sessions")).StatusCode);
    }

    [Fact]
    public async Task SignOut_TheSameCookieReplayedElsewhere_RefusedThere()
    {
        using var browser = await _host.SignInAsync();
        var copy = browser.Handler.CookieContainer.GetCookieHeader(browser.BaseAddress);
        // A second device (or a thief) holding the same cookie is signed in before the sign-out...
        Assert.Equal(HttpStatusCode.OK, (await Replay(copy)).StatusCode);

        using var response = await browser.SignOutAsync();
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        // ...and not after it, although the copy has hours left before it expires.
        using var replayed = await Replay(copy);
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.Equal("/login", replayed.Headers.Location?.AbsolutePath);
        // A new sign-in works as before.
        using var again = await _host.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/sessions")).StatusCode);

        async Task<HttpResponseMessage> Replay(string cookie)
        {
            using var other = new BrowserClient(browser.BaseAddress);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/sessions");
            request.Headers.Add("Cookie", cookie);
            return await other.SendAsync(request);
        }
    }

    [Fact]
    public async Task AppBar_SignedIn_ShowsNameAndRole()
    {
        _host.AddUser("olga", UserRole.Operator);
        using var browser = await _host.SignInAsync("olga");

        var page = await browser.GetStringAsync("/sessions");

        Assert.Matches("class=\"user-name\"[^>]*>olga</span>", page);
        Assert.Matches("class=\"user-role\"[^>]*>Operator</span>", page);
    }

    [Fact]
    public async Task Cookie_PasswordResetElsewhere_RefusedOnTheNextRequest()
    {
        _host.AddUser("vera", UserRole.Viewer);
        using var browser = await _host.SignInAsync("vera");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/sessions")).StatusCode);

        Users.ResetPassword("vera", "a-new-password", "admin");

        using var response = await browser.GetAsync("/sessions");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_RoleChangedOrUserDeleted_Refused()
    {
        _host.AddUser("olga", UserRole.Operator);
        _host.AddUser("dora", UserRole.Viewer);
        using var olga = await _host.SignInAsync("olga");
        using var dora = await _host.SignInAsync("dora");

        Users.ChangeRole("olga", UserRole.Viewer, "admin");
        Users.Delete("dora", "admin");

        Assert.Equal(HttpStatusCode.Redirect, (await olga.GetAsync("/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await dora.GetAsync("/sessions")).StatusCode);
    }

    [Fact]
    public async Task UnknownPath_AnonymousSignsInFirst_SignedInGets404()
    {
        // Which addresses exist is not shown to someone not signed in.
        using var anonymous = await _browser.GetAsync("/no-such-page");
        using var browser = await _host.SignInAsync();

        using var signedIn = await browser.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, signedIn.StatusCode);
        Assert.Contains("Not Found", await signedIn.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaticAssets_Anonymous_Served()
    {
        var login = await _browser.GetStringAsync("/login");
        var css = System.Text.RegularExpressions.Regex.Match(login, "href=\"(_content/MudBlazor/MudBlazor[^\"]*\\.css)\"").Groups[1].Value;

        Assert.Equal(HttpStatusCode.OK, (await _browser.GetAsync("/" + css)).StatusCode);
    }
}
