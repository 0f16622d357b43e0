using Dashboard.Api;
using Dashboard.Broker;
using Dashboard.Components;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core;
using Dashboard.Core.Query;
using Dashboard.Hubs;
using Dashboard.Security;
using Dashboard.VerneMq;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace Dashboard.Hosting;

/// <summary>The dashboard's one registration (<see cref="AddDashboard"/>) and its pipeline (<see cref="UseDashboard"/>).</summary>
public static class DashboardHosting
{
    /// <summary>
    /// Everything the app needs: the settings (checked at start), Core, the UI, the live feed, sign-in,
    /// the HTTP listener, the source of sessions (the embedded broker or a VerneMQ cluster, by
    /// <c>Source:Kind</c>), the API and observability. Settings are read when the services are built, so
    /// test hosts can override them; only <c>Source:Kind</c> and <c>Broker:NodeName</c> are read here.
    /// </summary>
    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddDashboardSettings();
        // Kestrel is configured while the app is built, from the settings: every setting is checked
        // before the first listener reads any, so that all bad values are named at once.
        builder.WebHost.ConfigureKestrel((_, kestrel) => kestrel.ApplicationServices.ValidateSettings());
        // Which source runs decides what is registered; a bad value throws here as it would at start.
        var source = SettingsSection.ReadNow<SourceOptions>(builder.Configuration);
        // Core takes the node name as a value; a bad Broker value is reported by the check at start.
        var broker = new BrokerOptions();
        broker.Read(builder.Configuration);

        services.AddOperatorToolSettings();
        services.AddDashboardCore(broker.NodeName);
        services.AddHostedService<SessionMonitors>();
        services.AddDashboardUi();
        services.AddDashboardLive();
        services.AddDashboardSecurity();
        services.AddDashboardSignIn();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddHostedService<MemoryTrim>();
        builder.AddHttpListener();
        if (source.Kind == SourceKind.VerneMQ)
        {
            builder.AddVerneMqSource();
        }
        else
        {
            builder.AddEmbeddedBroker();
        }
        services.AddSessionApi();
        builder.AddDashboardObservability();
        return builder;
    }

    /// <summary>
    /// Builds the pipeline and maps the endpoints, after checking every setting (already done when
    /// Kestrel was configured; again for a host on another server, such as a test server).
    /// </summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.ValidateSettings();
        // The security database is opened (and migrated) now, not when the host's services first ask for
        // it as the host starts: a file that cannot be read stops the app with its one line, as a setting
        // does, instead of the host's failure log with a stack trace.
        app.Services.GetRequiredService<SecurityDatabase>();

        app.UseReverseProxy();
        app.UseObservability();
        if (app.Services.GetRequiredService<IOptions<HttpOptions>>().Value.Certificate is not null)
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
        if (app.Services.GetRequiredService<IOptions<SourceOptions>>().Value.Kind == SourceKind.VerneMQ)
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
        return app;
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

    /// <summary>The dashboard's HTTP listener (<see cref="HttpOptions"/>), HSTS for HTTPS, and the static web assets.</summary>
    private static void AddHttpListener(this WebApplicationBuilder builder)
    {
        // Endpoints are bound in code because the embedded broker adds its MQTT listener to this Kestrel
        // host, and once any endpoint is configured in code Kestrel ignores --urls. The options are read
        // when Kestrel starts, after the check at start.
        builder.Services.AddSingleton<HttpEndpoint>();
        builder.WebHost.ConfigureKestrel((_, kestrel) =>
        {
            var http = kestrel.ApplicationServices.GetRequiredService<IOptions<HttpOptions>>().Value;
            var endpoint = kestrel.ApplicationServices.GetRequiredService<HttpEndpoint>();
            var certificate = CertificateFiles.From("Http", http.Certificate, http.CertificateKey, http.CertificatePassword,
                kestrel.ApplicationServices.GetRequiredService<TimeProvider>(),
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
    }
}
