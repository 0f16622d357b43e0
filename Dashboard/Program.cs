using Dashboard.Api;
using Dashboard.Broker;
using Dashboard.Cli;
using Dashboard.Components;
using Dashboard.Hosting;
using Dashboard.Hubs;
using Dashboard.Security;
using Dashboard.VerneMq;

// The executable doubles as a command-line tool: `Dashboard passwd ...` edits a password file and
// `Dashboard session ...` talks to a running dashboard.
if (CommandLine.TryRun(args, out var exitCode))
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddDashboardWeb();
var verneMq = string.Equals(builder.Configuration["Source:Kind"], "VerneMQ", StringComparison.OrdinalIgnoreCase);
if (!verneMq && builder.Configuration["Source:Kind"] is { Length: > 0 } kind && !string.Equals(kind, "Embedded", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"Source:Kind \"{kind}\" is not a source: Embedded (default) or VerneMQ.");
    return 2;
}
if (verneMq)
{
    builder.AddVerneMqSource();
}
else
{
    builder.AddEmbeddedBroker();
}
builder.Services.AddSessionApi();
builder.AddDashboardObservability();

try
{
    var app = builder.Build();

    app.UseReverseProxy();
    app.UseObservability();
    if (!string.IsNullOrWhiteSpace(app.Configuration["Http:Certificate"]))
    {
        app.UseHsts();
    }
    app.UseSecurityHeaders();
    app.UseSameOriginSockets();
    if (!app.Environment.IsDevelopment())
    {
        app.UseExceptionHandler("/Error", createScopeForErrors: true);
    }
    app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
    app.UseAuthentication();
    app.UseDashboardSignIn();
    app.UseAuthorization();
    app.UseAntiforgery();
    if (verneMq)
    {
        app.UseVerneMqSource();
    }
    else
    {
        app.UseEmbeddedBroker();
    }

    // The sign-in page needs its styles and scripts before anyone is signed in.
    app.MapStaticAssets().AllowAnonymous();
    app.MapSessionsHub();
    app.MapSessionApi();
    app.MapBlockApi();
    app.MapObservability();
    app.MapSessionExport().RequireAuthorization(Policies.View);
    app.MapAuditExport();
    app.MapSignOut();
    app.MapRazorComponents<App>()
        .AddInteractiveServerRenderMode();

    app.Run();
}
catch (SettingException exception)
{
    // A setting that cannot be used (a port, a certificate file): one line naming it, no stack trace.
    Console.Error.WriteLine(exception.Message);
    return 2;
}
return 0;

// Visible to WebApplicationFactory<Program> in the end-to-end tests.
public partial class Program;
