using Microsoft.AspNetCore.Authorization;

namespace Dashboard.Security;

/// <summary>
/// A wall-screen principal may reach the wall page, its circuit and the live feed, and nothing else,
/// whatever a page or endpoint forgets to declare: everything not meant for it is refused here (403)
/// before the endpoint's own policy is looked at. Pages also say so with their policies; this is the
/// default-deny behind them.
/// </summary>
internal sealed class WallScope(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.User.IsWallScreen() || Allowed(context))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("A wall-screen token opens only the wall (/wall) and its live feed.\n", context.RequestAborted);
    }

    private static bool Allowed(HttpContext context)
    {
        // The circuit of the wall page.
        if (context.Request.Path.StartsWithSegments("/_blazor"))
        {
            return true;
        }
        if (context.GetEndpoint() is not { } endpoint)
        {
            // No endpoint: a 404, rendered by the status pages.
            return true;
        }
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return true;
        }
        // The API and /metrics look at API keys only (their policies authenticate by that scheme alone), so
        // the wall's cookie means nothing there and the API answers as it does to anyone without a key.
        return endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Any(data => data.Policy is Policies.Wall or Hubs.LiveHosting.FeedPolicy or Policies.ApiRead or Policies.ApiMgmt);
    }
}
