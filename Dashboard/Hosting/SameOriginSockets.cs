namespace Dashboard.Hosting;

/// <summary>
/// Refuses a browser connection to the circuit (<c>/_blazor</c>) or the live feed (<c>/hubs</c>) from a
/// page of another origin. The sign-in cookie is SameSite=Strict, but "site" ignores the port, so a page
/// served from another port of the same host would send it; SignalR does not check the Origin itself.
/// Programs (no Origin header) are unaffected; they authenticate with a key.
/// </summary>
internal static class SameOriginSockets
{
    public static IApplicationBuilder UseSameOriginSockets(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var path = context.Request.Path;
        if ((path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/hubs"))
            && context.Request.Headers.Origin is [{ Length: > 0 } origin, ..]
            && !string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("Cross-origin connections are refused.", context.RequestAborted);
        }
        return next(context);
    });
}
