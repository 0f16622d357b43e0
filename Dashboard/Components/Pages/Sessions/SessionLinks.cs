using Dashboard.Core.Sessions;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>
/// Addresses of the session detail page. A client id may hold any character, so it travels as one
/// escaped path segment (<c>sessions/a%2Fb</c>), read back from the address itself rather than from
/// the router, which decodes <c>%25</c> but not <c>%2F</c>. The ids a browser would resolve away as a
/// path segment (<c>.</c>, <c>..</c>) or that have none (empty) go in <c>?client_id=</c> instead.
/// </summary>
public static class SessionLinks
{
    /// <summary>The path segment of a link whose client id is in the query.</summary>
    internal const string QueryMarker = "-";

    private const string Prefix = "sessions/";

    /// <summary>The detail page of a queue, relative to the app's base address.</summary>
    public static string Detail(QueueKey key)
    {
        var mountpoint = key.Mountpoint.Length == 0 ? "" : "mountpoint=" + Uri.EscapeDataString(key.Mountpoint);
        if (key.ClientId is "" or "." or "..")
        {
            return $"{Prefix}{QueryMarker}?client_id={Uri.EscapeDataString(key.ClientId)}{(mountpoint.Length == 0 ? "" : "&" + mountpoint)}";
        }
        return Prefix + Uri.EscapeDataString(key.ClientId) + (mountpoint.Length == 0 ? "" : "?" + mountpoint);
    }

    /// <summary>
    /// The client id in a detail page's address (relative to the base address): the <c>client_id</c>
    /// query value when given, else the unescaped rest of the path. Null when the address is not a detail page's.
    /// </summary>
    public static string? ClientId(string relativeUri, string? queryClientId)
    {
        if (queryClientId is not null)
        {
            return queryClientId;
        }
        var end = relativeUri.AsSpan().IndexOfAny('?', '#');
        var path = end < 0 ? relativeUri : relativeUri[..end];
        return path.StartsWith(Prefix, StringComparison.Ordinal) ? Uri.UnescapeDataString(path[Prefix.Length..]) : null;
    }
}
