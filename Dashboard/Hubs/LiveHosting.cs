using Dashboard.Core.Live;

namespace Dashboard.Hubs;

public static class LiveHosting
{
    /// <summary>The live feed's services: the hub and its per-connection feeds. Options from <c>Live:*</c>.</summary>
    public static IServiceCollection AddDashboardLive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSignalR();
        services.Configure<SessionFeedOptions>(configuration.GetSection("Live"));
        services.AddSingleton<SessionFeeds>();
        return services;
    }

    /// <summary>Maps <c>/hubs/sessions</c> and starts the node's activity counters.</summary>
    public static WebApplication MapSessionsHub(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Started with the app (not on first use) so connects per minute and the history cover its whole life.
        app.Services.GetRequiredService<SessionActivity>();
        // No sign-in exists yet (issues 6 and 7), so the hub is open. Once it does, this is the one
        // place to require it: .RequireAuthorization(<policy accepting the cookie, API key or wall token>).
        app.MapHub<SessionsHub>(SessionsHub.Path);
        return app;
    }
}
