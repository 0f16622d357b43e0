using System.Net;
using Dashboard.Hubs;
using Dashboard.Security;
using Dashboard.Tests.Hosting;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Security;

/// <summary>Wall-screen tokens over real HTTP: the wall and its feed, nothing else, until revoked or expired.</summary>
public sealed class WallTokenSignInTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private DashboardHost _host = null!;
    private string _secret = "";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private WallTokenStore Tokens => _host.Services.GetRequiredService<WallTokenStore>();

    public ValueTask InitializeAsync()
    {
        _host = DashboardHost.Start(_time);
        _secret = Tokens.Create("lobby-tv", "admin", _time.GetUtcNow().AddDays(1)).Value.Secret;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Wall_ValidToken_OpensTheWallWithoutAUser()
    {
        using var tv = new BrowserClient(_host.HttpUrl);

        using var response = await tv.GetAsync("/wall?token=" + _secret + "&title=Lobby");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Lobby", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Contains("httponly", BrowserClient.SignInCookie(response) ?? "", StringComparison.OrdinalIgnoreCase);
        // The cookie alone opens the wall again, and so does the bookmarked URL after it is gone.
        Assert.Equal(HttpStatusCode.OK, (await tv.GetAsync("/wall")).StatusCode);
        using var fresh = new BrowserClient(_host.HttpUrl);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/wall?token=" + _secret)).StatusCode);
    }

    [Theory]
    [InlineData("mqdw_not-a-token")]
    [InlineData("")]
    [InlineData("<script>")]
    public async Task Wall_InvalidToken_401PageNotTheSignInForm(string token)
    {
        using var tv = new BrowserClient(_host.HttpUrl);

        using var response = await tv.GetAsync("/wall?token=" + Uri.EscapeDataString(token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("This wall link is not valid", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Null(BrowserClient.SignInCookie(response));
    }

    [Fact]
    public async Task Wall_TokenUse_AuditedOncePerBrowserAndEachRefusal()
    {
        var audit = _host.Services.GetRequiredService<AuditLog>();
        using var tv = new BrowserClient(_host.HttpUrl);

        (await tv.GetAsync("/wall?token=" + _secret)).Dispose();
        (await tv.GetAsync("/wall?token=" + _secret)).Dispose();
        using var stranger = new BrowserClient(_host.HttpUrl);
        (await stranger.GetAsync("/wall?token=mqdw_guessing-at-tokens")).Dispose();

        var entries = audit.Query(new AuditQuery { Action = AuditActions.WallSignIn }).Value.Entries;
        Assert.Collection(
            entries,
            refused =>
            {
                Assert.Equal(("anonymous", "mqdw_guess…"), (refused.Actor, refused.Target));
                Assert.StartsWith("Refused", refused.Result, StringComparison.Ordinal);
            },
            signedIn => Assert.Equal(("wall:lobby-tv", "lobby-tv", "Success"), (signedIn.Actor, signedIn.Target, signedIn.Result)));
    }

    [Theory]
    [InlineData("/sessions")]
    [InlineData("/sessions/client1")]
    [InlineData("/")]
    [InlineData("/export/sessions")]
    [InlineData("/audit")]
    [InlineData("/export/audit")]
    [InlineData("/admin/users")]
    [InlineData("/admin/keys")]
    [InlineData("/admin/tokens")]
    [InlineData("/account/password")]
    public async Task WallScreen_AnythingButTheWall_403(string path)
    {
        using var tv = await WallScreenAsync();

        using var response = await tv.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task WallScreen_Api_NoKeyNoAction()
    {
        using var tv = await WallScreenAsync();

        using var response = await tv.GetAsync("/api/v1/session/disconnect?client-id=anyone");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Revoked_CookieAndUrlRefused()
    {
        using var tv = await WallScreenAsync();

        Tokens.Revoke("lobby-tv", "admin");

        Assert.Equal(HttpStatusCode.Redirect, (await tv.GetAsync("/wall")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tv.GetAsync("/wall?token=" + _secret)).StatusCode);
    }

    [Fact]
    public async Task Expired_Refused()
    {
        using var tv = await WallScreenAsync();

        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Redirect, (await tv.GetAsync("/wall")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tv.GetAsync("/wall?token=" + _secret)).StatusCode);
    }

    [Fact]
    public async Task SignedInUser_OpeningAWallLink_StaysThemselves()
    {
        using var browser = await _host.SignInAsync();

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/wall?token=" + _secret)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/sessions")).StatusCode);
    }

    [Fact]
    public async Task Hub_WallCookieOrTokenOrUserCookie_AcceptedAnonymousRefused()
    {
        using var tv = await WallScreenAsync();
        using var user = await _host.SignInAsync();
        using var anonymous = new BrowserClient(_host.HttpUrl);
        const string negotiate = SessionsHub.Path + "/negotiate?negotiateVersion=1";

        Assert.Equal(HttpStatusCode.OK, (await tv.SendAsync(new HttpRequestMessage(HttpMethod.Post, negotiate))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(new HttpRequestMessage(HttpMethod.Post, negotiate))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, negotiate + "&access_token=" + _secret))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, negotiate))).StatusCode);
        Tokens.Revoke("lobby-tv", "admin");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, negotiate + "&access_token=" + _secret))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tv.SendAsync(new HttpRequestMessage(HttpMethod.Post, negotiate))).StatusCode);
    }

    [Fact]
    public async Task Circuit_WallTokenRevoked_RevalidationEndsIt()
    {
        var provider = _host.Services.CreateScope().ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        var revalidating = Assert.IsType<RevalidatingAuthenticationState>(provider);
        var state = new AuthenticationState(DashboardClaims.ForWall(Tokens.List().Single()));
        Assert.True(await revalidating.RevalidateAsync(state, Cancel));

        Tokens.Revoke("lobby-tv", "admin");

        Assert.False(await revalidating.RevalidateAsync(state, Cancel));
    }

    [Fact]
    public async Task Circuit_UserDemoted_RevalidationEndsIt()
    {
        var users = _host.Services.GetRequiredService<UserStore>();
        var olga = _host.AddUser("olga", UserRole.Operator);
        var revalidating = (RevalidatingAuthenticationState)_host.Services.CreateScope().ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        var state = new AuthenticationState(DashboardClaims.ForUser(olga));
        Assert.True(await revalidating.RevalidateAsync(state, Cancel));

        users.ChangeRole("olga", UserRole.Viewer, "admin");

        Assert.False(await revalidating.RevalidateAsync(state, Cancel));
    }

    private async Task<BrowserClient> WallScreenAsync()
    {
        var tv = new BrowserClient(_host.HttpUrl);
        using var response = await tv.GetAsync("/wall?token=" + _secret);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return tv;
    }
}
