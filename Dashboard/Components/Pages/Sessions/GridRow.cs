namespace Dashboard.Components.Pages.Sessions;

/// <summary>
/// One row of the grid: the query engine's values, aligned with the result's columns. Two rows are the
/// same row when they have the same <see cref="Identity"/> (its queue and which of the queue's rows it
/// is), whatever their cells: the grid keys its rows by their items, and a live refresh makes new ones,
/// so without this every refresh replaced every row in the browser, and a click that landed while a
/// refresh was drawn hit a link that was no longer there.
/// </summary>
/// <remarks>A named type because Razor's generated code cannot take <c>object?[]</c> as a type argument.</remarks>
public sealed class GridRow(object?[] cells, object? identity = null) : IEquatable<GridRow>
{
    public object?[] Cells { get; } = cells;

    /// <summary>What makes this row the same row after a refresh; null: only this instance is.</summary>
    public object? Identity { get; } = identity;

    public bool Equals(GridRow? other) =>
        other is not null && (ReferenceEquals(this, other) || (Identity is not null && Identity.Equals(other.Identity)));

    public override bool Equals(object? obj) => Equals(obj as GridRow);

    public override int GetHashCode() => Identity?.GetHashCode() ?? System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
