using System.Diagnostics;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Core.Query;

/// <summary>Runs <c>session show</c> queries against stores (docs/query-language.md: row rules, filters, limit per node, order).</summary>
public static class QueryEngine
{
    /// <summary>Runs a query against one node.</summary>
    public static Result<QueryResult> Run(SessionQuery query, SessionStore store) => Run(query, [store]);

    /// <summary>Runs a query against several nodes; the limit applies to each node separately.</summary>
    public static Result<QueryResult> Run(SessionQuery query, IEnumerable<SessionStore> nodes)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (Validate(query) is { } error)
        {
            return Result<QueryResult>.Fail(error);
        }
        var started = Stopwatch.GetTimestamp();
        var plan = new QueryPlan(query);
        var rows = new List<object?[]>();
        var limitReached = false;
        foreach (var store in nodes.OrderBy(n => n.NodeName, StringComparer.Ordinal))
        {
            using var snapshot = store.OpenSnapshot();
            limitReached |= plan.Collect(snapshot, rows);
        }
        var duration = Stopwatch.GetElapsedTime(started);
        CoreMetrics.QueryDuration.Record(duration.TotalSeconds);
        return Result<QueryResult>.Ok(new QueryResult(plan.Columns, rows, limitReached, duration));
    }

    /// <summary>Why a query built in code cannot run (unknown field, bad value or pattern, negative limit), or null.</summary>
    public static string? Validate(SessionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        foreach (var column in query.Columns)
        {
            if (!FieldCatalog.TryGet(column, out _))
            {
                return $"Invalid key: \"{column}\"";
            }
        }
        foreach (var filter in query.Filters)
        {
            if (!FieldCatalog.TryGet(filter.Field, out var field))
            {
                return $"Invalid key: \"{filter.Field}\"";
            }
            if (FilterCompiler.Validate(field, filter) is { } invalid)
            {
                return invalid;
            }
        }
        if (query.Limit < 0)
        {
            return $"Invalid value for --limit: \"{query.Limit}\" is not a whole number (0 or more)";
        }
        return query.RowTimeout < 0 ? $"Invalid value for --rowtimeout: \"{query.RowTimeout}\" is not a whole number (0 or more)" : null;
    }

    /// <summary>
    /// Walks queues in key order (or an index's candidates), expands each by the row rules of the
    /// groups in use, and tests filters as soon as the row has the fields they need.
    /// </summary>
    internal sealed class QueryPlan
    {
        private readonly SessionQuery _query;
        private readonly Func<SessionRow, object?>[] _readers;
        private readonly Func<SessionRow, bool>[] _queueFilters, _sessionFilters, _subscriptionFilters, _messageFilters;
        private readonly bool _perSession, _perSubscription, _perMessage;

        public QueryPlan(SessionQuery query)
        {
            _query = query;
            Columns = [.. query.EffectiveColumns.Order(StringComparer.Ordinal)];
            var columnFields = Columns.Select(Field).ToArray();
            _readers = [.. columnFields.Select(FieldCatalog.Getter)];
            var filters = query.Filters.Select(f => (Field: Field(f.Field), Filter: f)).ToArray();
            var used = columnFields.Concat(filters.Select(f => f.Field)).ToArray();
            _perSession = used.Any(f => f.NeedsSession);
            _perSubscription = used.Any(f => f.Group == FieldGroup.Subscription);
            _perMessage = used.Any(f => f.Group == FieldGroup.Message);
            _queueFilters = For(FieldGroup.Queue);
            _sessionFilters = For(FieldGroup.QueueState, FieldGroup.Connection);
            _subscriptionFilters = For(FieldGroup.Subscription);
            _messageFilters = For(FieldGroup.Message);

            Func<SessionRow, bool>[] For(params FieldGroup[] groups) =>
                [.. filters.Where(f => groups.Contains(f.Field.Group)).Select(f => FilterCompiler.Compile(f.Field, f.Filter))];
        }

        public IReadOnlyList<string> Columns { get; }

        /// <summary>
        /// Adds this store's rows; returns whether the limit cut them. A store that mirrors a cluster
        /// holds queues of several nodes (<see cref="QueueState.Node"/>): each node gets its own limit,
        /// as <c>vmq-admin</c> counts it, and its rows follow in node name order.
        /// </summary>
        public bool Collect(StoreSnapshot snapshot, List<object?[]> rows)
        {
            var budget = _query.Limit;
            SortedDictionary<string, NodeRows>? mirrored = null;
            foreach (var queue in Candidates(snapshot))
            {
                if (queue.Node is { } node)
                {
                    mirrored ??= new(StringComparer.Ordinal);
                    if (!mirrored.TryGetValue(node, out var bucket))
                    {
                        mirrored[node] = bucket = new NodeRows(_query.Limit);
                    }
                    if (!bucket.Cut && !ExpandQueue(node, queue, bucket.Rows, ref bucket.Budget))
                    {
                        bucket.Cut = true;
                    }
                }
                else if (!ExpandQueue(snapshot.NodeName, queue, rows, ref budget))
                {
                    // A store holds either its own queues or mirrored ones, never both: nothing more to add.
                    return true;
                }
            }
            var cut = false;
            foreach (var bucket in mirrored?.Values ?? Enumerable.Empty<NodeRows>())
            {
                rows.AddRange(bucket.Rows);
                cut |= bucket.Cut;
            }
            return cut;
        }

        private sealed class NodeRows(int budget)
        {
            public readonly List<object?[]> Rows = [];
            public int Budget = budget;
            public bool Cut;
        }

        /// <summary>Whether the queue yields at least one row (what <see cref="QueueMatcher"/> asks).</summary>
        public bool HasRow(string node, QueueState queue, List<object?[]> scratch)
        {
            scratch.Clear();
            var budget = 1;
            ExpandQueue(node, queue, scratch, ref budget);
            return scratch.Count > 0;
        }

        /// <summary>Adds the queue's rows; false once a row beyond the limit shows the result was cut.</summary>
        private bool ExpandQueue(string node, QueueState queue, List<object?[]> rows, ref int budget)
        {
            var row = new SessionRow(node, queue, null, null, null);
            if (!All(_queueFilters, row))
            {
                return true;
            }
            if (!_perSession || queue.Sessions.IsEmpty)
            {
                return ExpandSession(row, rows, ref budget);
            }
            foreach (var session in queue.Sessions)
            {
                if (!ExpandSession(row with { Session = session }, rows, ref budget))
                {
                    return false;
                }
            }
            return true;
        }

        private IEnumerable<QueueState> Candidates(StoreSnapshot snapshot)
        {
            // Exact client id or topic filters go through the store's indexes; others scan in order.
            foreach (var filter in _query.Filters)
            {
                if (filter is { Kind: FilterKind.Equal, Field: "client_id" })
                {
                    return snapshot.FindClient(filter.Value);
                }
            }
            foreach (var filter in _query.Filters)
            {
                if (filter is { Kind: FilterKind.Equal, Field: "topic" })
                {
                    return snapshot.QueuesWithTopic(filter.Value);
                }
            }
            return snapshot.Queues();
        }

        private bool ExpandSession(SessionRow row, List<object?[]> rows, ref int budget)
        {
            if (!All(_sessionFilters, row))
            {
                return true;
            }
            if (!_perSubscription)
            {
                return ExpandSubscription(row, rows, ref budget);
            }
            foreach (var subscription in row.Queue.Subscriptions)
            {
                if (!ExpandSubscription(row with { Subscription = subscription }, rows, ref budget))
                {
                    return false;
                }
            }
            return true;
        }

        private bool ExpandSubscription(SessionRow row, List<object?[]> rows, ref int budget)
        {
            if (!All(_subscriptionFilters, row))
            {
                return true;
            }
            if (!_perMessage)
            {
                return Emit(row, rows, ref budget);
            }
            foreach (var message in row.Queue.Messages)
            {
                if (!Emit(row with { Message = message }, rows, ref budget))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>Adds a matching row; false once a row beyond the limit shows the result was cut.</summary>
        private bool Emit(SessionRow row, List<object?[]> rows, ref int budget)
        {
            if (!All(_messageFilters, row))
            {
                return true;
            }
            if (budget == 0)
            {
                return false;
            }
            budget--;
            var values = new object?[_readers.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = _readers[i](row);
            }
            rows.Add(values);
            return true;
        }

        private static bool All(Func<SessionRow, bool>[] filters, SessionRow row)
        {
            foreach (var filter in filters)
            {
                if (!filter(row))
                {
                    return false;
                }
            }
            return true;
        }

        // Validate has checked every name.
        private static SessionField Field(string name) => FieldCatalog.TryGet(name, out var field) ? field : throw new UnreachableException(name);
    }
}
