namespace Dashboard.Components.Pages.Admin;

/// <summary>The wall screen's address with a token, ready to open on a TV: <c>&lt;base&gt;wall?token=...&amp;q=...&amp;title=...</c>.</summary>
public static class WallLink
{
    /// <summary><paramref name="query"/> and <paramref name="title"/> are the wall's own parameters, left out when empty.</summary>
    public static string Build(string baseUri, string token, string? query, string? title)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        // Escaped here, since the TV's browser gets the link as it is: a '+' or '&' in a query must survive.
        var link = $"{baseUri.TrimEnd('/')}/wall?token={Uri.EscapeDataString(token)}";
        if (!string.IsNullOrWhiteSpace(query))
        {
            link += "&q=" + Uri.EscapeDataString(query.Trim());
        }
        if (!string.IsNullOrWhiteSpace(title))
        {
            link += "&title=" + Uri.EscapeDataString(title.Trim());
        }
        return link;
    }
}
