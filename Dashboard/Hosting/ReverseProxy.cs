using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Dashboard.Hosting;

/// <summary>
/// Running behind a reverse proxy: <c>Http:KnownProxies</c> (addresses or CIDR ranges whose
/// <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> are believed; empty trusts nobody) and
/// <c>Http:BasePath</c> (the path the proxy serves the app under, such as <c>/dashboard</c>).
/// </summary>
public sealed record ReverseProxySettings(IReadOnlyList<IPNetwork> KnownProxies, PathString BasePath)
{
    public const string KnownProxiesKey = "Http:KnownProxies";

    public const string BasePathKey = "Http:BasePath";

    /// <summary>Reads both settings; one that cannot be used throws a <see cref="SettingException"/> naming it.</summary>
    public static ReverseProxySettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(KnownProxiesKey);
        var values = section.Value is { } single ? single.Split(',') : section.GetChildren().Select(child => child.Value ?? "");
        var proxies = new List<IPNetwork>();
        foreach (var value in values.Select(value => value.Trim()).Where(value => value.Length > 0))
        {
            if (IPNetwork.TryParse(value, out var network))
            {
                proxies.Add(network);
            }
            else if (IPAddress.TryParse(value, out var address))
            {
                proxies.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new SettingException(
                    $"{KnownProxiesKey} \"{value}\" is not an IP address or a CIDR range (for example 10.0.0.5 or 10.0.0.0/24).");
            }
        }
        return new ReverseProxySettings(proxies, ParseBasePath(configuration[BasePathKey]));
    }

    private static PathString ParseBasePath(string? text)
    {
        var trimmed = (text ?? "").Trim().TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return PathString.Empty;
        }
        // Only plain path segments: the value goes into <base href> and every redirect the app makes.
        if (trimmed[0] != '/' || trimmed.Contains("//", StringComparison.Ordinal)
            || trimmed.Any(c => c is '?' or '#' or '%' or '\\' || char.IsWhiteSpace(c) || char.IsControl(c))
            || trimmed.Split('/').Any(segment => segment is "." or ".."))
        {
            throw new SettingException(
                $"{BasePathKey} \"{text}\" is not a path the dashboard can be served under (for example /dashboard).");
        }
        return new PathString(trimmed);
    }
}

public static class ReverseProxy
{
    /// <summary>
    /// First in the pipeline: forwarded headers from the known proxies only, then the base path, then
    /// routing (which must see the path without its base).
    /// </summary>
    public static WebApplication UseReverseProxy(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = ReverseProxySettings.From(app.Configuration);
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
