using Microsoft.AspNetCore.Authentication;

namespace Dashboard.Security;

/// <summary>
/// <c>GET /wall?token=mqdw_...</c> signs the browser in as a wall screen, so a TV needs no user account.
/// </summary>
/// <remarks>
/// The one GET that changes state, on purpose: it only creates a read-only session for the wall (the same
/// a bookmark of the link would need), and the TV keeps the URL, so the token is accepted on every load,
/// after restarts and after the cookie expired. A signed-in user who opens such a link stays who they are.
/// An invalid token is answered with a 401 page that says so, not the sign-in form, which a TV cannot use.
/// </remarks>
internal sealed class WallTokenSignIn(RequestDelegate next, WallTokenStore tokens, AuditLog audit)
{
    // Enough of a presented secret to tell attempts apart in the audit log, too little to use.
    private const int ShownSecretLength = 10;

    public const string WallPath = "/wall";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !context.Request.Path.Equals(WallPath, StringComparison.OrdinalIgnoreCase)
            || !context.Request.Query.TryGetValue("token", out var presented))
        {
            await next(context);
            return;
        }
        if (presented.Count != 1 || tokens.Verify(presented[0]) is not { } token)
        {
            var shown = presented.Count == 1 ? Shorten(presented[0] ?? "") : $"{presented.Count} tokens";
            try
            {
                audit.Append(AuditActors.Anonymous, AuditActions.WallSignIn, shown, "{}", "Refused: unknown, revoked or expired token");
            }
            catch (SecurityDatabaseException)
            {
                // Refused all the same; only the entry is missing (the database says why elsewhere).
            }
            await RefuseAsync(context);
            return;
        }
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true || user.IsWallScreen())
        {
            var principal = DashboardClaims.ForWall(token);
            // A TV reloads its link after every restart; only a browser that becomes this wall is an entry.
            if (user.Identity?.Name != principal.Identity?.Name)
            {
                try
                {
                    audit.Append(principal.Identity!.Name!, AuditActions.WallSignIn, token.Name, "{}", "Success");
                }
                catch (SecurityDatabaseException unavailable)
                {
                    // As a user's sign-in: none that the audit log cannot hold.
                    await UnavailableAsync(context, unavailable.Message);
                    return;
                }
            }
            await context.SignInAsync(DashboardClaims.Scheme, principal, new AuthenticationProperties { IsPersistent = true });
            // This request is authorized as the wall too, not only the next one.
            context.User = principal;
        }
        await next(context);
    }

    private static string Shorten(string secret) =>
        secret.Length <= ShownSecretLength ? secret : secret[..ShownSecretLength] + "…";

    private static async Task UnavailableAsync(HttpContext context, string problem)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "30";
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Wall not available</title>
            <style>body{font-family:system-ui,sans-serif;background:#111;color:#eee;margin:10vh 10vw;font-size:1.5rem}</style></head>
            <body><h1>The wall cannot be signed in right now</h1>
            <p>{{System.Net.WebUtility.HtmlEncode(problem)}}</p></body></html>
            """, context.RequestAborted);
    }

    private static async Task RefuseAsync(HttpContext context)
    {
        // Whatever this browser was signed in as with a token, that token no longer opens anything.
        if (context.User.IsWallScreen())
        {
            await context.SignOutAsync(DashboardClaims.Scheme);
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Wall link not valid</title>
            <style>body{font-family:system-ui,sans-serif;background:#111;color:#eee;margin:10vh 10vw;font-size:1.5rem}</style></head>
            <body><h1>This wall link is not valid</h1>
            <p>Its token is unknown, revoked or expired. Ask an administrator for a new wall link.</p></body></html>
            """, context.RequestAborted);
    }
}
