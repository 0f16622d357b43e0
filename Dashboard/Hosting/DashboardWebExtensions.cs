using Dashboard.Components;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core;
using Dashboard.Core.Query;
using Dashboard.Hubs;
using Dashboard.Security;
using MudBlazor.Services;

namespace Dashboard.Hosting;

public static class DashboardWebExtensions
{
    /// <summary>Everything the web app needs: Core, the UI services, Razor components and the HTTP listener.</summary>
    public static WebApplicationBuilder AddDashboardWeb(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var nodeName = builder.Configuration["Broker:NodeName"];
        builder.Services.AddDashboardCore(string.IsNullOrWhiteSpace(nodeName) ? $"dashboard@{Environment.MachineName}" : nodeName);
        builder.Services.AddDashboardUi();
        builder.Services.AddDashboardLive(builder.Configuration);
        builder.Services.AddDashboardSecurity();
        builder.Services.AddDashboardSignIn();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();

        // Endpoints are bound in code because the embedded broker will add its MQTT listener to this
        // Kestrel host, and once any endpoint is configured in code Kestrel ignores --urls. The
        // configuration is read when Kestrel starts so test hosts can still override it.
        builder.Services.AddSingleton<HttpEndpoint>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var http = EndpointSettings.Http(context.Configuration);
            var endpoint = kestrel.ApplicationServices.GetRequiredService<HttpEndpoint>();
            kestrel.Listen(http.Address, http.Port, endpoint.Attach);
        });

        // Serves _content/* and _framework/* from the build output outside Development too; a no-op
        // for published output, which carries the files itself.
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    /// <summary>The services components use: MudBlazor's and the page view models.</summary>
    public static IServiceCollection AddDashboardUi(this IServiceCollection services)
    {
        services.AddMudServices();
        // One per app: pages refreshing the same query share its runs.
        services.AddSingleton<SharedQueryRuns>();
        // Transient: each page instance gets its own query state.
        services.AddTransient<SessionsViewModel>();
        services.AddTransient<SessionDetailViewModel>();
        // Scoped: dialogs, snackbars and the browser's time zone belong to one circuit.
        services.AddScoped<SessionActions>();
        services.AddScoped<BrowserTimeZone>();
        return services;
    }
}
