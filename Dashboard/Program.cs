using Dashboard.Components;
using Dashboard.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddDashboardWeb();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

app.Run();

// Visible to WebApplicationFactory<Program> in the end-to-end tests.
public partial class Program;
