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
    public static Result<QueryResult> Run(SessionQuery query, IEnumerable<SessionStore> nodes) => Run(query, nodes, ScanSettings.Default, out _);

    /// <summary>Runs a query with explicit scan settings; <paramref name="parallelRanges"/> says how many key ranges ran on several threads (0: none).</summary>
    internal static Result<QueryResult> Run(SessionQuery query, IEnumerable<SessionStore> nodes, ScanSettings settings, out int parallelRanges)
    {
        ArgumentNullException.ThrowIfNull(query);
        parallelRanges = 0;
        if (Validate(query) is { } error)
        {
            return Result<QueryResult>.Fail(error);
        }
        var started = Stopwatch.GetTimestamp();
        var plan = new QueryPlan(query, settings);
        var rows = new List<object?[]>();
        var limitReached = false;
        foreach (var store in nodes.OrderBy(n => n.NodeName, StringComparer.Ordinal))
        {
            using var snapshot = store.OpenSnapshot();
            limitReached |= plan.Collect(snapshot, rows);
        }
        parallelRanges = plan.ParallelRanges;
        var duration = Stopwatch.GetElapsedTime(started);
        CoreMetrics.QueryDuration.Record(duration.TotalSeconds);
        return Result<QueryResult>.Ok(new QueryResult(plan.Columns, rows, limitReached, duration));
    }

    /// <summary>When a full scan is split across threads (see <see cref="QueryPlan"/>).</summary>
    /// <param name="ParallelMinQueues">A full scan is split only when at least this many queues are left after the head.</param>
    /// <param name="SequentialHead">Queues scanned on the caller's thread before deciding whether to split the rest.</param>
    /// <param name="MaxWorkers">At most this many threads take part in one scan (the caller's included); 1 never splits.</param>
    internal sealed record ScanSettings(int ParallelMinQueues, int SequentialHead, int MaxWorkers)
    {
        /// <summary>Split scans of more than about 73,000 queues across up to 8 cores.</summary>
        public static ScanSettings Default { get; } = new(65_536, 8_192, Math.Min(Environment.ProcessorCount, 8));
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
    /// groups in use, and tests filters as soon as the row has the fields they need. A full scan that
    /// looks like it will run to the end (few rows so far for its limit) continues on every core, each
    /// worker on its own range of keys, and the ranges' rows are joined in key order: the result is the
    /// one the single-threaded scan gives.
    /// </summary>
    internal sealed class QueryPlan
    {
        private const int RangesPerWorker = 4;

        private readonly SessionQuery _query;
        private readonly ScanSettings _settings;
        private readonly Func<SessionRow, object?>[] _readers;
        private readonly Func<SessionRow, bool>[] _queueFilters, _sessionFilters, _subscriptionFilters, _messageFilters;
        private readonly Func<string?, bool>[] _topicTests;
        private readonly TextMatcher? _topicRegex;
        private readonly bool _perSession, _perSubscription, _perMessage;

        public QueryPlan(SessionQuery query, ScanSettings? settings = null)
        {
            _query = query;
            _settings = settings ?? ScanSettings.Default;
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
            // Topic filters test the subscription's topic before its row is built (most fail).
            _topicTests = [.. filters.Where(f => IsTopic(f.Field)).Select(f => FilterCompiler.CompileTopic(f.Filter))];
            _topicRegex = filters.Where(f => IsTopic(f.Field)).ToArray() is [{ Filter.Kind: FilterKind.Regex } only]
                ? SafeRegex.CompileMatcher(only.Filter.Value).Value
                : null;
            _subscriptionFilters = [.. filters.Where(f => f.Field.Group == FieldGroup.Subscription && !IsTopic(f.Field))
                .Select(f => FilterCompiler.Compile(f.Field, f.Filter))];
            _messageFilters = For(FieldGroup.Message);

            Func<SessionRow, bool>[] For(params FieldGroup[] groups) =>
                [.. filters.Where(f => groups.Contains(f.Field.Group)).Select(f => FilterCompiler.Compile(f.Field, f.Filter))];

            static bool IsTopic(SessionField field) => field.Name == "topic";
        }

        public IReadOnlyList<string> Columns { get; }

        /// <summary>Key ranges scanned on several threads so far (0 when every scan ran on the caller's thread).</summary>
        public int ParallelRanges { get; private set; }

        /// <summary>
        /// Adds this store's rows; returns whether the limit cut them. A store that mirrors a cluster
        /// holds queues of several nodes (<see cref="QueueState.Node"/>): each node gets its own limit,
        /// as <c>vmq-admin</c> counts it, and its rows follow in node name order.
        /// </summary>
        public bool Collect(StoreSnapshot snapshot, List<object?[]> rows)
        {
            var head = new Part(_query.Limit);
            if (IndexedCandidates(snapshot) is { } candidates)
            {
                foreach (var queue in candidates)
                {
                    if (!Take(snapshot.NodeName, queue, head))
                    {
                        break;
                    }
                }
                return Merge([head], rows);
            }
            var visited = 0;
            foreach (var queue in snapshot.Queues())
            {
                if (!Take(snapshot.NodeName, queue, head))
                {
                    break;
                }
                if (++visited == _settings.SequentialHead && ShouldSplit(snapshot, head, visited))
                {
                    return Merge([head, .. ScanInParallel(snapshot, queue.Key)], rows);
                }
            }
            return Merge([head], rows);
        }

        /// <summary>
        /// Whether the rest of a full scan should be split across cores: enough queues are left, and at
        /// the rate rows came so far the limit will not stop the scan early (when it would, the rows
        /// another core finds further on would be thrown away).
        /// </summary>
        private bool ShouldSplit(StoreSnapshot snapshot, Part head, int visited)
        {
            if (_settings.MaxWorkers < 2)
            {
                return false;
            }
            var left = snapshot.ApproximateQueueCount - visited;
            if (left < _settings.ParallelMinQueues)
            {
                return false;
            }
            bool Ends(NodeRows rows) => (double)rows.Rows.Count * left / visited < rows.Budget;
            return Ends(head.Own) && (head.Mirrored?.Values.All(Ends) ?? true);
        }

        /// <summary>Scans the queues after <paramref name="after"/> in ranges, on the caller's thread and pool threads.</summary>
        private Part[] ScanInParallel(StoreSnapshot snapshot, QueueKey after)
        {
            var workers = _settings.MaxWorkers;
            var bounds = snapshot.SplitKeys(after, workers * RangesPerWorker);
            var parts = new Part[bounds.Count + 1];
            ParallelRanges += parts.Length;
            var next = -1;
            var left = new CountdownEvent(parts.Length);
            Exception? failure = null;

            void Work()
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < parts.Length)
                {
                    try
                    {
                        var part = new Part(_query.Limit);
                        QueueKey? upTo = index < bounds.Count ? bounds[index] : null;
                        foreach (var queue in snapshot.Queues(index == 0 ? after : bounds[index - 1], upTo))
                        {
                            if (!Take(snapshot.NodeName, queue, part))
                            {
                                break;
                            }
                        }
                        parts[index] = part;
                    }
                    catch (Exception exception)
                    {
                        Interlocked.CompareExchange(ref failure, exception, null);
                    }
                    finally
                    {
                        left.Signal();
                    }
                }
            }

            // The caller works too: when the pool is busy it takes every range itself, never waiting
            // on a helper that has not started. It waits only for ranges a helper is scanning.
            for (var helper = 1; helper < Math.Min(workers, parts.Length); helper++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => Work(), null);
            }
            Work();
            left.Wait();
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
            return parts;
        }

        /// <summary>Adds one queue's rows to a part; false once the part's own-node limit is exceeded.</summary>
        private bool Take(string nodeName, QueueState queue, Part part)
        {
            if (queue.Node is { } node)
            {
                part.Mirrored ??= new(StringComparer.Ordinal);
                if (!part.Mirrored.TryGetValue(node, out var bucket))
                {
                    part.Mirrored[node] = bucket = new NodeRows(_query.Limit);
                }
                if (!bucket.Cut && !ExpandQueue(node, queue, bucket.Rows, ref bucket.Budget))
                {
                    bucket.Cut = true;
                }
                return true;
            }
            if (!ExpandQueue(nodeName, queue, part.Own.Rows, ref part.Own.Budget))
            {
                // A store holds either its own queues or mirrored ones, never both: nothing more to add.
                part.Own.Cut = true;
                return false;
            }
            return true;
        }

        /// <summary>Joins parts (consecutive key ranges, in order) into <paramref name="rows"/>; returns whether the limit cut.</summary>
        private bool Merge(Part[] parts, List<object?[]> rows)
        {
            if (Join(parts.Select(p => p.Own), rows))
            {
                return true;
            }
            var cut = false;
            var nodes = parts.SelectMany(p => p.Mirrored?.Keys ?? Enumerable.Empty<string>()).Distinct().Order(StringComparer.Ordinal);
            foreach (var node in nodes)
            {
                cut |= Join(parts.Select(p => p.Mirrored?.GetValueOrDefault(node)).OfType<NodeRows>(), rows);
            }
            return cut;
        }

        /// <summary>
        /// Adds the first <c>limit</c> rows of consecutive ranges to <paramref name="rows"/>; true when
        /// more rows matched (a range held more than fit, or was cut itself).
        /// </summary>
        private bool Join(IEnumerable<NodeRows> ranges, List<object?[]> rows)
        {
            var room = _query.Limit;
            foreach (var range in ranges)
            {
                if (range.Rows.Count > room)
                {
                    rows.AddRange(range.Rows.Take(room));
                    return true;
                }
                rows.AddRange(range.Rows);
                room -= range.Rows.Count;
                if (range.Cut)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>The rows one scan (or one range of it) found: the store's own, and per mirrored node.</summary>
        private sealed class Part(int budget)
        {
            public readonly NodeRows Own = new(budget);
            public SortedDictionary<string, NodeRows>? Mirrored;
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

        /// <summary>How many rows the queue yields, whatever the limit (what <see cref="QueryRowCounter"/> asks).</summary>
        public int CountRows(string node, QueueState queue, List<object?[]> scratch)
        {
            scratch.Clear();
            var budget = int.MaxValue;
            ExpandQueue(node, queue, scratch, ref budget);
            return scratch.Count;
        }

        /// <summary>Adds the queue's rows; false once a row beyond the limit shows the result was cut.</summary>
        private bool ExpandQueue(string node, QueueState queue, List<object?[]> rows, ref int budget)
        {
            if (_topicTests.Length > 0 && !AnyTopicPasses(queue.Subscriptions))
            {
                // Every row of a query with a topic filter is a subscription whose topic passes it: a
                // queue with none gives no row, so most queues of a full scan end here, no row built.
                return true;
            }
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

        /// <summary>The queues an exact client id or topic filter finds through the store's indexes; null for a full scan.</summary>
        private IEnumerable<QueueState>? IndexedCandidates(StoreSnapshot snapshot)
        {
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
            return null;
        }

        private bool ExpandSession(in SessionRow row, List<object?[]> rows, ref int budget)
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
                if (!TopicPasses(subscription.Topic))
                {
                    continue;
                }
                if (!ExpandSubscription(row with { Subscription = subscription }, rows, ref budget))
                {
                    return false;
                }
            }
            return true;
        }

        private bool AnyTopicPasses(System.Collections.Immutable.ImmutableArray<Subscription> subscriptions)
        {
            if (_topicRegex is { } regex)
            {
                // The usual case, one regex on topics: called directly, not through a delegate per topic.
                foreach (var subscription in subscriptions)
                {
                    if (subscription.Topic is { } topic && regex.IsMatchShared(topic))
                    {
                        return true;
                    }
                }
                return false;
            }
            foreach (var subscription in subscriptions)
            {
                if (TopicPasses(subscription.Topic))
                {
                    return true;
                }
            }
            return false;
        }

        private bool TopicPasses(string? topic)
        {
            foreach (var test in _topicTests)
            {
                if (!test(topic))
                {
                    return false;
                }
            }
            return true;
        }

        private bool ExpandSubscription(in SessionRow row, List<object?[]> rows, ref int budget)
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
        private bool Emit(in SessionRow row, List<object?[]> rows, ref int budget)
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

        private static bool All(Func<SessionRow, bool>[] filters, in SessionRow row)
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
