using Dashboard.Core.Sessions;

namespace Dashboard.Core.Query;

/// <summary>
/// Tests one queue against a query's filters, by the same row rules and filter code as
/// <see cref="QueryEngine"/>: a queue matches when the query would show at least one row of it.
/// Columns and the limit do not narrow the match (a live view's scope is its filters).
/// </summary>
public sealed class QueueMatcher
{
    private readonly QueryEngine.QueryPlan? _plan;
    private readonly Lock _lock = new();
    private readonly List<object?[]> _scratch = [];

    private QueueMatcher(SessionQuery query)
    {
        Query = query;
        _plan = query.Filters.Count == 0 ? null : new QueryEngine.QueryPlan(query with { Columns = [], Limit = 1 });
    }

    /// <summary>A matcher that lets every queue through.</summary>
    public static QueueMatcher All { get; } = new(SessionQuery.Default);

    /// <summary>The query whose filters this matcher tests.</summary>
    public SessionQuery Query { get; }

    /// <summary>Whether every queue matches (the query has no filter).</summary>
    public bool MatchesAll => _plan is null;

    /// <summary>A matcher for a query, or the reason the query cannot run.</summary>
    public static Result<QueueMatcher> Create(SessionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return QueryEngine.Validate(query) is { } error ? Result<QueueMatcher>.Fail(error) : Result<QueueMatcher>.Ok(new QueueMatcher(query));
    }

    /// <summary>A matcher for <c>vmq-admin</c> query text, or the parser's message.</summary>
    public static Result<QueueMatcher> Parse(string? text)
    {
        var query = QueryParser.ParseText(text);
        return query.IsSuccess ? Create(query.Value) : Result<QueueMatcher>.Fail(query.Error!);
    }

    /// <summary>Whether the query shows at least one row of <paramref name="queue"/> on node <paramref name="node"/>.</summary>
    public bool Matches(string node, QueueState queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (_plan is null)
        {
            return true;
        }
        // The scratch list saves an allocation per test; matchers are shared by a feed's timer only.
        lock (_lock)
        {
            return _plan.HasRow(node, queue, _scratch);
        }
    }
}
