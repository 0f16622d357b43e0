namespace Dashboard.Components.Pages.Sessions;

/// <summary>One row of the grid: the query engine's values, aligned with the result's columns.</summary>
/// <remarks>A named type because Razor's generated code cannot take <c>object?[]</c> as a type argument.</remarks>
public sealed record GridRow(object?[] Cells);
