using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Dashboard.Hosting;

/// <summary>
/// Running behind a reverse proxy: <c>Http:KnownProxies</c> (addresses or CIDR ranges whose
/// <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> are believed; empty trusts nobody) and
/// <c>Http:BasePath</c> (the path the proxy serves the app under, such as <c>/dashboard</c>), both
/// from <see cref="HttpOptions"/>.
/// </summary>
public static class ReverseProxy
{
    /// <summary>
    /// First in the pipeline: forwarded headers from the known proxies only, then the base path, then
    /// routing (which must see the path without its base).
    /// </summary>
    public static WebApplication UseReverseProxy(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<IOptions<HttpOptions>>().Value;
        if (settings.KnownProxies.Count > 0)
        {
            var options = new ForwardedHeadersOptions
            {
                ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
                // Each X-Forwarded-For hop is taken only while the address it came from is a known proxy,
                // so a chain of listed proxies works and whatever a client wrote itself is never believed.
                ForwardLimit = null,
            };
            // The defaults trust loopback; only what the operator listed counts.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in settings.KnownProxies)
            {
                options.KnownIPNetworks.Add(network);
            }
            app.UseForwardedHeaders(options);
        }
        // Without any known proxy the middleware is left out altogether: with empty lists it would
        // believe the headers from anyone.
        if (settings.BasePath.HasValue)
        {
            // Requests under the base path have it moved to PathBase; links and redirects put it back.
            app.UsePathBase(settings.BasePath);
        }
        // Explicitly after UsePathBase: the implicit routing would run first and match the full path.
        app.UseRouting();
        return app;
    }
}
