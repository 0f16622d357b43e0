using Dashboard.Components;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core;
using Dashboard.Hubs;
using Dashboard.Security;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using MudBlazor.Services;

namespace Dashboard.Hosting;

public static class DashboardWebExtensions
{
    /// <summary>Everything the web app needs: Core, the UI services, Razor components and the HTTP listener.</summary>
    public static WebApplicationBuilder AddDashboardWeb(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var nodeName = builder.Configuration["Broker:NodeName"];
        builder.Services.AddOperatorToolSettings();
        builder.Services.AddDashboardCore(string.IsNullOrWhiteSpace(nodeName) ? $"dashboard@{Environment.MachineName}" : nodeName);
        builder.Services.AddDashboardUi();
        builder.Services.AddDashboardLive(builder.Configuration);
        builder.Services.AddDashboardSecurity();
        builder.Services.AddDashboardSignIn();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddHostedService<MemoryTrim>();

        // Endpoints are bound in code because the embedded broker will add its MQTT listener to this
        // Kestrel host, and once any endpoint is configured in code Kestrel ignores --urls. The
        // configuration is read when Kestrel starts so test hosts can still override it.
        builder.Services.AddSingleton<HttpEndpoint>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var http = EndpointSettings.Http(context.Configuration);
            var endpoint = kestrel.ApplicationServices.GetRequiredService<HttpEndpoint>();
            var certificate = CertificateFiles.From(context.Configuration, "Http", kestrel.ApplicationServices.GetRequiredService<TimeProvider>(),
                kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Dashboard.Https"));
            kestrel.Listen(http.Address, http.Port, listen =>
            {
                if (certificate is not null)
                {
                    // The current certificate on every handshake: a renewed file is picked up without a restart.
                    listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => certificate.Current });
                    endpoint.IsHttps = true;
                }
                endpoint.Attach(listen);
            });
        });

        // With HTTPS, browsers are told to keep to it; for every host name, not only public ones.
        builder.Services.AddHsts(options =>
        {
            options.ExcludedHosts.Clear();
            options.MaxAge = TimeSpan.FromDays(365);
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
        // Transient: each page instance gets its own query state.
        services.AddTransient<SessionsViewModel>();
        services.AddTransient<SessionDetailViewModel>();
        // Scoped: dialogs, snackbars and the browser's time zone belong to one circuit.
        services.AddScoped<SessionActions>();
        services.AddScoped<BrowserTimeZone>();
        return services;
    }
}
