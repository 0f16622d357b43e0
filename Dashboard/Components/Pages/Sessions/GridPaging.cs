namespace Dashboard.Components.Pages.Sessions;

/// <summary>One page of a result's rows, sorted on the server: only that page goes to the browser.</summary>
public static class GridPaging
{
    /// <summary>The rows of page <paramref name="page"/> (from 0), sorted by the cell at <paramref name="sortIndex"/> when it is 0 or more.</summary>
    public static GridRow[] Page(IReadOnlyList<object?[]> rows, int sortIndex, bool descending, int page, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(rows);
        IEnumerable<GridRow> sorted = rows.Select(cells => new GridRow(cells));
        if (sortIndex >= 0)
        {
            // OrderBy followed by Skip/Take sorts only as far as the page needs.
            sorted = descending
                ? sorted.OrderByDescending(row => row.Cells[sortIndex], CellComparer.Instance)
                : sorted.OrderBy(row => row.Cells[sortIndex], CellComparer.Instance);
        }
        return [.. sorted.Skip(page * pageSize).Take(pageSize)];
    }
}
