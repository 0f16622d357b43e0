using Bunit;
using Dashboard.Security;
using Dashboard.Tests.Core.Auth;
using Dashboard.Tests.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Components;

/// <summary>
/// The app's context plus the security stores on a real SQLite file in a temporary folder (on the
/// context's clock), the scoped actor as the app registers it, and bUnit's fake sign-in, by default an
/// Admin named "admin".
/// </summary>
public abstract class SecurityTestContext : DashboardTestContext
{
    private readonly TempDirectory _folder = new();

    protected SecurityTestContext()
    {
        Database = new SecurityDatabase(_folder.File("data"));
        Audit = new AuditLog(Database, Time);
        Users = new UserStore(Database, Audit, Time, SecurityFixture.FastHashing);
        ApiKeys = new ApiKeyStore(Database, Audit, Time);
        WallTokens = new WallTokenStore(Database, Audit, Time);
        // bUnit takes no registrations once the base context made its renderer, so the stores come from
        // a second container it falls back to. The actor is the app's, reading bUnit's fake sign-in.
        var security = new ServiceCollection()
            .AddSingleton(Database).AddSingleton(Audit).AddSingleton(Users).AddSingleton(ApiKeys).AddSingleton(WallTokens)
            .AddSingleton<IActorAccessor>(_ => new ActorAccessor(new HttpContextAccessor(), Services));
        Services.AddFallbackServiceProvider(security.BuildServiceProvider());
        SignIn("admin", UserRole.Admin);
    }

    protected SecurityDatabase Database { get; }

    protected AuditLog Audit { get; }

    protected UserStore Users { get; }

    protected ApiKeyStore ApiKeys { get; }

    protected WallTokenStore WallTokens { get; }

    /// <summary>Signs in as the app does: the role claim, and the policies the app's own <see cref="Policies"/> grant that role (bUnit checks policies by name).</summary>
    protected void SignIn(string name, UserRole role)
    {
        Authorization.SetAuthorized(name);
        Authorization.SetRoles(role.ToString());
        Authorization.SetPolicies(AppPolicies.GrantedTo(role.ToString()));
    }

    /// <summary>The dialog and snackbar providers a page's dialogs and messages render into.</summary>
    protected (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars) RenderProviders()
    {
        Render<MudPopoverProvider>();
        return (Render<MudDialogProvider>(), Render<MudSnackbarProvider>());
    }

    protected static void DialogButton(IRenderedComponent<MudDialogProvider> dialogs, string text) =>
        dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == text).Click();

    // xunit disposes asynchronously (DisposeAsyncCore, then Dispose(false)); a plain using calls Dispose(true).
    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        DeleteDatabase();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            DeleteDatabase();
        }
    }

    private void DeleteDatabase()
    {
        // Pooled connections first, then the files; both are safe to repeat.
        Database.Dispose();
        _folder.Dispose();
    }
}
