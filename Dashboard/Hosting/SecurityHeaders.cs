using Microsoft.Net.Http.Headers;

namespace Dashboard.Hosting;

/// <summary>
/// Headers that keep the dashboard's pages from being framed, sniffed or made to run foreign script:
/// it can disconnect every client of a broker, so a page that lent its buttons to another site would be
/// a hole. Scripts come only from the app's own files (no inline script, hence no import map); styles may be inline because MudBlazor sets style
/// attributes on its components; connections go only back to the app (the circuit's WebSocket).
/// </summary>
internal static class SecurityHeaders
{
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
            headers[HeaderNames.XContentTypeOptions] = "nosniff";
            headers[HeaderNames.XFrameOptions] = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
