using Dashboard.Api;
using Dashboard.Hosting;
using Dashboard.Security;
using Microsoft.Extensions.Options;

namespace Dashboard.Hubs;

public static class LiveHosting
{
    /// <summary>
    /// Who may follow the feed: any API key (read is enough), a signed-in user (every role may view) or a
    /// wall screen (its cookie, or its token as <c>access_token</c>).
    /// </summary>
    public const string FeedPolicy = "LiveFeed";

    /// <summary>The scheme that picks how a feed request authenticates, by what it presents.</summary>
    public const string FeedScheme = "LiveFeed";

    /// <summary>The live feed's services: the hub and its per-connection feeds. Options from <c>Live:*</c> (<see cref="LiveOptions"/>).</summary>
    public static IServiceCollection AddDashboardLive(this IServiceCollection services)
    {
        services.AddSignalR();
        // One forwarding scheme rather than three on the policy: every scheme of a policy is challenged
        // when it fails, and the cookie's redirect would collide with the API key's 401. A refused caller
        // gets the API key's 401 with its explanation.
        services.AddAuthentication().AddPolicyScheme(FeedScheme, "API key, wall token or sign-in", options =>
        {
            options.ForwardDefaultSelector = context =>
                WallTokenAuthentication.Presented(context.Request) is not null ? WallTokenAuthentication.SchemeName
                : ApiKeys.IsPresented(context.Request) ? ApiKeyAuthentication.SchemeName
                : DashboardClaims.Scheme;
            options.ForwardChallenge = ApiKeyAuthentication.SchemeName;
            options.ForwardForbid = ApiKeyAuthentication.SchemeName;
        });
        // Each of those principals may follow the feed (users of every role may view; API keys of either
        // scope may read), so being authenticated by this scheme is the whole rule.
        services.AddAuthorizationBuilder().AddPolicy(FeedPolicy, policy => policy
            .AddAuthenticationSchemes(FeedScheme)
            .RequireAuthenticatedUser());
        services.AddSingleton(provider => Options.Create(provider.GetRequiredService<IOptions<LiveOptions>>().Value.Feed()));
        services.AddSingleton<SessionFeeds>();
        services.AddHostedService<FeedRevalidation>();
        return services;
    }

    /// <summary>Maps <c>/hubs/sessions</c>.</summary>
    public static WebApplication MapSessionsHub(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The feed shows every client id and topic of the broker, so it is never open.
        app.MapHub<SessionsHub>(SessionsHub.Path).RequireAuthorization(FeedPolicy);
        return app;
    }
}
