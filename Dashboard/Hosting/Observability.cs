using Dashboard.Core;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Dashboard.Hosting;

/// <summary>
/// Health endpoints and Prometheus metrics (docs/deploying.md). <c>/health/live</c> answers while the
/// process serves HTTP; <c>/health/ready</c> runs <see cref="ReadinessCheck"/>. Both are anonymous and
/// say only <c>Healthy</c> or <c>Unhealthy</c>. <c>/metrics</c> needs an API key (either scope), unless
/// <c>Metrics:Port</c> is set: then it is served without a key on that port only
/// (<c>Metrics:Address</c>, default 127.0.0.1), for operators who keep the port on a private network.
/// </summary>
internal static partial class Observability
{
    public const string MetricsPath = "/metrics";
    private const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static WebApplicationBuilder AddDashboardObservability(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // ASP.NET Core's request lines carry the query string, where browsers put secrets the app
        // accepts there (the hub's ?access_token=, VerneMQ's webhook ?secret=): kept out of every log,
        // whatever level the configuration asks for. This more specific rule wins over "Microsoft.AspNetCore".
        builder.Logging.AddFilter(RequestLogCategory, LogLevel.Warning);
        services.AddHealthChecks().AddCheck<ReadinessCheck>("ready", tags: ["ready"]);
        services.AddSingleton<DashboardMetrics>();
        services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("mqtt-sessions-dashboard")).WithMetrics(metrics => metrics
            // System.Runtime: .NET's own meter (GC heap and collections, working set, thread pool, exceptions).
            .AddMeter(DashboardMetrics.MeterName, CoreMetrics.MeterName, "System.Runtime")
            .AddPrometheusExporter(options =>
            {
                options.ScrapeEndpointPath = MetricsPath;
                // Prometheus scrapes every 15 s or so; a cached answer would only hide a fresh value.
                options.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        services.AddSingleton<MetricsEndpoint>();
        builder.WebHost.ConfigureKestrel((_, kestrel) =>
        {
            var metrics = kestrel.ApplicationServices.GetRequiredService<IOptions<MetricsOptions>>().Value;
            if (metrics.Port is { } port)
            {
                var endpoint = kestrel.ApplicationServices.GetRequiredService<MetricsEndpoint>();
                kestrel.Listen(metrics.Address, port, endpoint.Attach);
            }
        });
        return builder;
    }

    /// <summary>Whether <c>/metrics</c> has an anonymous listener of its own (<c>Metrics:Port</c> is set).</summary>
    private static bool HasMetricsPort(WebApplication app) =>
        app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Port is not null;

    /// <summary>
    /// First in the pipeline: counts API requests by their final status; requests to the metrics port
    /// get the metrics and nothing else (404), so the anonymous port never exposes a page.
    /// </summary>
    public static WebApplication UseObservability(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<DashboardMetrics>();
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                await next(context);
                return;
            }
            try
            {
                await next(context);
            }
            finally
            {
                metrics.ApiRequest(context.Response.StatusCode);
            }
        });
        var endpoint = app.Services.GetRequiredService<MetricsEndpoint>();
        if (!HasMetricsPort(app))
        {
            return app;
        }
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => OnMetricsPort(context, endpoint) && context.Request.Path == MetricsPath);
        app.Use((context, next) =>
        {
            if (OnMetricsPort(context, endpoint))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
        return app;
    }

    public static WebApplication MapObservability(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();
        if (!HasMetricsPort(app))
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(Security.Policies.ApiRead);
        }
        else
        {
            // With port 0 the port is known only now.
            app.Lifetime.ApplicationStarted.Register(() => LogMetricsPort(
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Dashboard.Metrics"),
                app.Services.GetRequiredService<MetricsEndpoint>().EndPoint?.ToString() ?? "(not bound)"));
        }
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus metrics at http://{MetricsEndPoint}/metrics (no key on this port)")]
    private static partial void LogMetricsPort(ILogger logger, string metricsEndPoint);

    private static bool OnMetricsPort(HttpContext context, MetricsEndpoint endpoint) =>
        endpoint.EndPoint is { } bound && context.Connection.LocalPort == bound.Port;
}

/// <summary>The anonymous metrics listener (<c>Metrics:Port</c>), when there is one.</summary>
public sealed class MetricsEndpoint : BoundEndpoint;

/// <summary>
/// Ready to serve: the session store is fed (the embedded broker has restored its sessions and lets
/// clients in, or a VerneMQ node was read in full and is reachable now), and the database takes writes
/// (a write probe on the dashboard's database; the embedded broker's session file reports no problem).
/// The reasons stay in the process: the endpoint answers only Healthy or Unhealthy.
/// </summary>
internal sealed class ReadinessCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var probe in services.GetServices<IReadinessProbe>())
        {
            if (probe.Problem() is { } problem)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy(problem));
            }
        }
        if (services.GetRequiredService<Security.SecurityDatabase>().WriteProblem(commit: true) is { } refused)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(refused));
        }
        return Task.FromResult(HealthCheckResult.Healthy());
    }
}

/// <summary>One source's part of readiness: why it is not ready, or null.</summary>
internal interface IReadinessProbe
{
    string? Problem();
}
