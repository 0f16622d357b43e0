using Dashboard.Api;
using Dashboard.Core.Live;

namespace Dashboard.Hubs;

public static class LiveHosting
{
    /// <summary>Who may follow the feed: any API key (read is enough). Sign-in cookies and wall tokens join it with issue 7.</summary>
    public const string FeedPolicy = "LiveFeed";

    /// <summary>The live feed's services: the hub and its per-connection feeds. Options from <c>Live:*</c>.</summary>
    public static IServiceCollection AddDashboardLive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSignalR();
        services.AddAuthorizationBuilder().AddPolicy(FeedPolicy, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName)
            .RequireAuthenticatedUser());
        services.Configure<SessionFeedOptions>(configuration.GetSection("Live"));
        services.AddSingleton<SessionFeeds>();
        return services;
    }

    /// <summary>Maps <c>/hubs/sessions</c> and starts the node's activity counters and per-client histories.</summary>
    public static WebApplication MapSessionsHub(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Started with the app (not on first use) so connects per minute and the history cover its whole life.
        app.Services.GetRequiredService<SessionActivity>();
        app.Services.GetRequiredService<SessionHistory>();
        // The feed shows every client id and topic of the broker, so it is never open.
        app.MapHub<SessionsHub>(SessionsHub.Path).RequireAuthorization(FeedPolicy);
        return app;
    }
}
