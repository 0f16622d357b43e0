using Dashboard.Api;
using Dashboard.Broker;
using Dashboard.Cli;
using Dashboard.Components;
using Dashboard.Hosting;
using Dashboard.Hubs;

// The executable doubles as a command-line tool: `Dashboard passwd ...` edits a password file and
// `Dashboard session ...` talks to a running dashboard.
if (CommandLine.TryRun(args, out var exitCode))
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddDashboardWeb();
builder.AddEmbeddedBroker();
builder.Services.AddSessionApi();

var app = builder.Build();

app.UseSecurityHeaders();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.UseEmbeddedBroker();

app.MapStaticAssets();
app.MapSessionsHub();
app.MapSessionApi();
app.MapSessionExport();
app.MapAuditExport();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

app.Run();
return 0;

// Visible to WebApplicationFactory<Program> in the end-to-end tests.
public partial class Program;
