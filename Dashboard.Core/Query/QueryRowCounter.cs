using Dashboard.Core.Sessions;

namespace Dashboard.Core.Query;

/// <summary>
/// Counts the rows a query gives for one queue, by the same row rules and filters as
/// <see cref="QueryEngine"/>, ignoring the limit: a live count kept up to date one changed queue at a
/// time instead of by a scan (docs/live-feed.md#inside-the-dashboard, "the count behind the limit").
/// Its columns count, since they decide whether a queue gives a row per session or per subscription.
/// Not thread-safe: one per consumer.
/// </summary>
public sealed class QueryRowCounter
{
    private readonly QueryEngine.QueryPlan _plan;
    private readonly List<object?[]> _scratch = [];

    private QueryRowCounter(SessionQuery query)
    {
        Query = query;
        _plan = new QueryEngine.QueryPlan(query);
    }

    /// <summary>The query whose rows this counter counts.</summary>
    public SessionQuery Query { get; }

    /// <summary>A counter for a query, or the reason the query cannot run.</summary>
    public static Result<QueryRowCounter> Create(SessionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return QueryEngine.Validate(query) is { } error ? Result<QueryRowCounter>.Fail(error) : Result<QueryRowCounter>.Ok(new QueryRowCounter(query));
    }

    /// <summary>How many rows the query shows of <paramref name="queue"/> on node <paramref name="node"/>, limit aside.</summary>
    public int RowsOf(string node, QueueState queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return _plan.CountRows(node, queue, _scratch);
    }
}
