namespace Dashboard.Components.Pages.Sessions;

/// <summary>One page of a result's rows, sorted on the server: only that page goes to the browser.</summary>
public static class GridPaging
{
    /// <summary>
    /// The rows of page <paramref name="page"/> (from 0), sorted by the cell at <paramref name="sortIndex"/> when it is 0 or more.
    /// With the positions of the key columns, each row's identity is its queue and its place among that queue's rows.
    /// </summary>
    public static GridRow[] Page(IReadOnlyList<object?[]> rows, int sortIndex, bool descending, int page, int pageSize,
        int mountpointIndex = -1, int clientIdIndex = -1)
    {
        ArgumentNullException.ThrowIfNull(rows);
        IEnumerable<GridRow> sorted = Identify(rows, mountpointIndex, clientIdIndex);
        if (sortIndex >= 0)
        {
            // OrderBy followed by Skip/Take sorts only as far as the page needs.
            sorted = descending
                ? sorted.OrderByDescending(row => row.Cells[sortIndex], CellComparer.Instance)
                : sorted.OrderBy(row => row.Cells[sortIndex], CellComparer.Instance);
        }
        return [.. sorted.Skip(page * pageSize).Take(pageSize)];
    }

    private static IEnumerable<GridRow> Identify(IReadOnlyList<object?[]> rows, int mountpointIndex, int clientIdIndex)
    {
        if (mountpointIndex < 0 || clientIdIndex < 0)
        {
            return rows.Select(cells => new GridRow(cells));
        }
        // A queue's rows (one per subscription or queued message) come together, in a stable order.
        var seen = new Dictionary<(string?, string?), int>();
        return [.. rows.Select(cells =>
        {
            var queue = (cells[mountpointIndex] as string, cells[clientIdIndex] as string);
            var n = seen.GetValueOrDefault(queue);
            seen[queue] = n + 1;
            return new GridRow(cells, (queue.Item1, queue.Item2, n));
        })];
    }
}
