using Dashboard.Core.Sessions;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>The grid's sort: one column and a direction, in the URL as <c>sort=client_id</c> or <c>sort=-client_id</c>.</summary>
public sealed record GridSort(string Column, bool Descending)
{
    /// <summary>The sort a URL names, or null when it names none or a field that does not exist.</summary>
    public static GridSort? Parse(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        var descending = trimmed.StartsWith('-');
        var column = descending ? trimmed[1..] : trimmed;
        // A hand-edited or stale URL must not break the page: an unknown field just means unsorted.
        return FieldCatalog.TryGet(column, out _) ? new GridSort(column, descending) : null;
    }

    /// <summary>The value of the URL's <c>sort</c> parameter.</summary>
    public string ToParameter() => Descending ? "-" + Column : Column;

    /// <summary>What a click on <paramref name="column"/>'s header does: ascending, then descending, then unsorted.</summary>
    public static GridSort? Next(GridSort? current, string column) => current switch
    {
        { Column: var c, Descending: false } when c == column => new GridSort(column, true),
        { Column: var c, Descending: true } when c == column => null,
        _ => new GridSort(column, false),
    };
}
