namespace Dashboard.Core.Query;

/// <summary>The rows of a <c>session show</c> query.</summary>
/// <param name="Columns">Column names, alphabetical (VerneMQ's order).</param>
/// <param name="Rows">One array of values per row, aligned with <paramref name="Columns"/>.</param>
/// <param name="LimitReached">Whether some node had more matching rows than the limit.</param>
/// <param name="Elapsed">Time the query took.</param>
public sealed record QueryResult(
    IReadOnlyList<string> Columns,
    IReadOnlyList<object?[]> Rows,
    bool LimitReached,
    TimeSpan Elapsed);
