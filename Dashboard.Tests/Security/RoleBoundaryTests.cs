using System.Net;
using System.Reflection;
using Dashboard.Core.Actions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Dashboard.Security;
using Dashboard.Tests.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Security;

/// <summary>What each role reaches over real HTTP, and what the server refuses whatever the UI showed.</summary>
public sealed class RoleBoundaryTests : IAsyncLifetime
{
    private DashboardHost _host = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private AuditLog Audit => _host.Services.GetRequiredService<AuditLog>();

    public ValueTask InitializeAsync()
    {
        _host = DashboardHost.Start();
        _host.AddUser("vera", UserRole.Viewer);
        _host.AddUser("olga", UserRole.Operator);
        _host.Store.Apply(new ClientConnected(new QueueKey("", "role-client"), true, null, "127.0.0.1", 1001, 5));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("vera")]
    [InlineData("olga")]
    [InlineData("admin")]
    public async Task Viewing_EveryRole_PagesExportAndWall(string user)
    {
        using var browser = await _host.SignInAsync(user);

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/sessions/role-client")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/wall")).StatusCode);
        using var export = await browser.GetAsync("/export/sessions?format=json");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Contains("role-client", await export.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vera", false)]
    [InlineData("olga", true)]
    [InlineData("admin", true)]
    public async Task SessionsPage_ActionsOnlyForRolesThatMayAct(string user, bool shown)
    {
        using var browser = await _host.SignInAsync(user);

        var page = await browser.GetStringAsync("/sessions");

        // The prerendered toolbar: rows themselves load once the circuit runs, which bUnit tests cover.
        Assert.Contains("aria-label=\"Export CSV\"", page, StringComparison.Ordinal);
        Assert.Equal(shown, page.Contains("Disconnect selected", StringComparison.Ordinal));
        Assert.Equal(shown, page.Contains("Select all matching", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Viewer", false)]
    [InlineData("Operator", true)]
    [InlineData("Admin", true)]
    public async Task Disconnect_FromTheUi_RefusedBelowOperatorAndAudited(string role, bool allowed)
    {
        // The UI's path: the circuit's authentication state, the scoped actor, the audited control.
        await using var scope = _host.Services.CreateAsyncScope();
        var name = role.ToLowerInvariant() + "-user";
        // A real user: the control checks the sign-in against the database at the moment of acting.
        var user = _host.Services.GetRequiredService<UserStore>().Add(name, Enum.Parse<UserRole>(role), "a long password", "admin").Value;
        var principal = DashboardClaims.ForUser(user);
        ((IHostEnvironmentAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>())
            .SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        var control = scope.ServiceProvider.GetRequiredService<ISessionControl>();

        var act = () => control.DisconnectAsync(new DisconnectRequest { ClientId = "nobody-" + role }, Cancel);

        if (allowed)
        {
            await act();
            Assert.Equal("No session nobody-" + role, Entry(name).Result);
        }
        else
        {
            var refused = await Assert.ThrowsAsync<ActionNotAllowedException>(act);
            Assert.Equal($"Not allowed: your role {role} cannot disconnect", refused.Message);
            Assert.Equal($"Refused: role {role}", Entry(name).Result);
        }
    }

    [Theory]
    [InlineData("vera", HttpStatusCode.Forbidden)]
    [InlineData("olga", HttpStatusCode.Forbidden)]
    [InlineData("admin", HttpStatusCode.OK)]
    public async Task AdminPages_OnlyForAdmins(string user, HttpStatusCode expected)
    {
        using var browser = await _host.SignInAsync(user);

        foreach (var path in new[] { "/audit", "/admin/users", "/admin/keys", "/admin/tokens", "/export/audit" })
        {
            using var response = await browser.GetAsync(path);
            Assert.True(expected == response.StatusCode, $"{user} {path}: {(int)response.StatusCode}");
            if (expected == HttpStatusCode.Forbidden && !path.StartsWith("/export", StringComparison.Ordinal))
            {
                Assert.Contains("You are not allowed to see this page", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
            }
        }
        // Every signed-in user may change their own password.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/password")).StatusCode);
    }

    [Fact]
    public async Task Api_SignInCookieIsNoApiKey_401()
    {
        using var browser = await _host.SignInAsync();

        using var response = await browser.GetAsync("/api/v1/session/disconnect?client-id=role-client");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(_host.Store.Get(new QueueKey("", "role-client"))!.IsOnline);
    }

    [Fact]
    public void Pages_EachDeclaresWhoMayOpenIt()
    {
        // A page without an attribute would fall to the fallback policy, which any signed-in principal
        // passes: every page says View, Wall, Admin (or another policy) or that it is open, on purpose.
        var pages = typeof(Program).Assembly.GetTypes()
            .Where(type => type.GetCustomAttributes<RouteAttribute>().Any())
            .ToList();
        Assert.NotEmpty(pages);
        foreach (var page in pages)
        {
            var authorize = page.GetCustomAttributes<AuthorizeAttribute>(inherit: true).ToList();
            var open = page.GetCustomAttribute<AllowAnonymousAttribute>(inherit: true) is not null;
            Assert.True(open || authorize.Any(a => a.Policy is not null), $"{page.Name} declares no policy");
            // Only the wall admits wall screens.
            Assert.True(authorize.All(a => a.Policy != Policies.Wall) || page.Name == "WallPage", $"{page.Name} admits wall screens");
        }
    }

    private AuditEntry Entry(string actor) => Audit.Query(new AuditQuery { Actor = actor, Action = AuditActions.SessionDisconnect }).Value.Entries.Single();
}
