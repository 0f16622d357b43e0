using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>
/// The sessions page's query state: the text last applied, the last query that parsed and ran, its
/// result, and the error of the latest attempt. A bad query never replaces the last good result.
/// Changes made with the column chooser, filter controls and limit field come back as query text, so
/// the box, the URL and the controls always describe the same query.
/// </summary>
public sealed class SessionsViewModel(SessionStore store, SharedQueryRuns? sharedRuns = null)
{
    /// <summary>
    /// From this many sessions on, a live refresh runs its query off the page's thread, shared with other
    /// pages showing the same query: a scan of a million sessions takes long enough to make a page
    /// (and every page refreshing at once) stop answering. Below it the query takes about a millisecond.
    /// </summary>
    public const long SharedRefreshSessions = 50_000;

    // Every row carries its queue's key so its Disconnect and Reauthorize buttons know whom they act on,
    // shown or not; both are queue fields, so adding them never changes which rows match.
    // The node tells whose limit a row counts against (docs/query-language.md): a live refresh needs it
    // to decide whether a change can reach the rows shown.
    private static readonly string[] KeyColumns = ["mountpoint", "client_id", "node"];

    /// <summary>The query text last applied (from the URL or the Run button); empty means the default query.</summary>
    public string AppliedText { get; private set; } = "";

    /// <summary>The last query that parsed and ran; live refreshes re-run it.</summary>
    public SessionQuery? Query { get; private set; }

    /// <summary>The rows of <see cref="Query"/> as of the last run.</summary>
    public QueryResult? Result { get; private set; }

    /// <summary>Matching rows are counted up to this many: counting all of a million sessions on every live refresh would cost more than the page.</summary>
    public const int MatchCountCap = 10_000;

    /// <summary>How many rows match when the limit cut the result (at most <see cref="MatchCountCap"/>); null when it did not.</summary>
    public int? MatchCount { get; private set; }

    /// <summary>Whether more rows match than were counted.</summary>
    public bool MatchCountCapped { get; private set; }

    /// <summary>The count for people: <c>1,234</c> or <c>more than 10,000</c>.</summary>
    public string MatchCountText => MatchCountCapped
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"more than {MatchCountCap:N0}")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{MatchCount:N0}");

    /// <summary>The queues whose rows changed or appeared in the latest <see cref="Refresh"/>; empty after a new query.</summary>
    public IReadOnlySet<QueueKey> Changed { get; private set; } = new HashSet<QueueKey>();

    // Each queue's rows as one hash of their cells, from the previous run, to tell which queues a refresh changed.
    private Dictionary<QueueKey, int> _fingerprints = [];

    // Per node: how many rows the result shows, and the key of its last one.
    private Dictionary<string, (int Rows, QueueKey Last)> _nodeTails = new(StringComparer.Ordinal);

    private QueueMatcher? _matcher;

    // The count behind the limit between full counts: each matching queue's rows, kept up to date from
    // the changed queues (docs/live-feed.md#inside-the-dashboard, "the count behind the limit"). Null
    // when there is no exact count to keep (none taken, or more than the cap match).
    private MatchTally? _tally;
    private QueryRowCounter? _rowCounter;

    // Full counts under way off the page's thread, and the queues re-counted one by one meanwhile: a
    // full count's snapshot may predate them, so they are counted again when it lands.
    private int _fullCountsRunning;
    private readonly HashSet<QueueKey> _retalliedWhileCounting = [];

    /// <summary>Why the latest applied text could not run; null when it ran.</summary>
    public string? Error { get; private set; }

    /// <summary>The shown columns in the order the query names them (the result itself is alphabetical).</summary>
    public IReadOnlyList<string> Columns => Query?.EffectiveColumns ?? [];

    /// <summary>The columns <paramref name="text"/> would show; the current ones when it does not parse (it would not run either).</summary>
    public IReadOnlyList<string> ColumnsOf(string? text) =>
        QueryParser.ParseText(text) is { IsSuccess: true } parsed ? parsed.Value.EffectiveColumns : Columns;

    /// <summary>Parses and runs <paramref name="text"/>; on a mistake, keeps the previous query and rows.</summary>
    public void Apply(string? text)
    {
        AppliedText = text?.Trim() ?? "";
        var parsed = QueryParser.ParseText(AppliedText);
        if (!parsed.IsSuccess)
        {
            Error = parsed.Error;
            return;
        }
        if (!Run(parsed.Value, out var error, trackChanges: false))
        {
            Error = error;
            return;
        }
        Query = parsed.Value;
        Error = null;
    }

    /// <summary>Re-runs the last good query against the store's current state.</summary>
    public void Refresh()
    {
        if (Query is not null)
        {
            Run(Query, out _, trackChanges: true);
        }
    }

    /// <summary>
    /// <see cref="Refresh"/> for live updates: with a large store the query runs on the thread pool, as one
    /// run shared by every page asking for the same query (<see cref="SharedQueryRuns"/>), and the caller
    /// gets its thread back while it runs. The rows are replaced when it finishes, unless another query
    /// was applied meanwhile.
    /// </summary>
    public Task RefreshAsync() => RunAndShowAsync(changes: null, recount: true);

    /// <summary>
    /// A live refresh after <paramref name="changes"/>: the query runs again only when a changed queue can
    /// change the rows shown (it is shown, or it now matches and would fall within the limit). The count
    /// of matches behind the limit is not redone here but by <see cref="RecountAsync"/>, at its own slower
    /// pace. Returns whether the rows may have changed (false: no need to render). Highlights go to
    /// exactly the changed queues whose cells differ (docs/live-feed.md#inside-the-dashboard).
    /// </summary>
    public async Task<bool> RefreshAsync(ChangedKeys changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (Query is not { } query)
        {
            return false;
        }
        if (changes.Resync || Result is null)
        {
            await RunAndShowAsync(changes: null, recount: true);
            return true;
        }
        if (!AffectsRows(query, changes))
        {
            // The rows stay as they are: none of them is newly changed.
            Changed = new HashSet<QueueKey>();
            return false;
        }
        await RunAndShowAsync(changes, recount: false);
        return true;
    }

    /// <summary>
    /// Brings the count of matches behind the limit up to date after <paramref name="changes"/> (only
    /// when the limit cut the rows). Any change can move it, so the page calls this at its own slower
    /// pace than the rows, with every queue changed since the last call. While the count is exact the
    /// changed queues alone are counted again; a resync, or a count past <see cref="MatchCountCap"/>,
    /// counts everything (up to the cap). Returns whether the count shown changed.
    /// </summary>
    public async Task<bool> RecountAsync(ChangedKeys changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (Query is not { } query || Result is not { LimitReached: true })
        {
            return false;
        }
        var before = (MatchCount, MatchCountCapped);
        if (!changes.Resync && _tally is not null)
        {
            foreach (var key in changes.Keys.Keys)
            {
                Retally(query, key);
            }
            PublishTally();
            return before != (MatchCount, MatchCountCapped);
        }
        var counted = await CountAsync(query);
        if (!ReferenceEquals(Query, query) || counted is not { IsSuccess: true } || Result is not { LimitReached: true })
        {
            return false;
        }
        return before != (MatchCount, MatchCountCapped);
    }

    // A full count, off the page's thread for a large store; installed when it lands unless another
    // query was applied meanwhile.
    private async Task<Result<QueryResult>?> CountAsync(SessionQuery query)
    {
        _fullCountsRunning++;
        try
        {
            var counted = await RunAsync(WithKeyColumnsCached(query) with { Limit = MatchCountCap });
            if (ReferenceEquals(Query, query) && counted.IsSuccess)
            {
                InstallCount(query, counted.Value);
            }
            return counted;
        }
        finally
        {
            if (--_fullCountsRunning == 0)
            {
                _retalliedWhileCounting.Clear();
            }
        }
    }

    // Takes a full count's rows as the count, and keeps it per queue when it is exact.
    private void InstallCount(SessionQuery query, QueryResult counted)
    {
        if (counted.LimitReached)
        {
            _tally = null;
            (MatchCount, MatchCountCapped) = (counted.Rows.Count, true);
            return;
        }
        var client = IndexIn(counted.Columns, "client_id");
        var mountpoint = IndexIn(counted.Columns, "mountpoint");
        var nodeColumn = IndexIn(counted.Columns, "node");
        var tally = new MatchTally();
        foreach (var cells in counted.Rows)
        {
            var node = cells[nodeColumn] as string ?? store.NodeName;
            tally.AddRow(new QueueKey(cells[mountpoint] as string ?? "", cells[client] as string ?? ""), node);
        }
        _tally = tally;
        foreach (var key in _retalliedWhileCounting)
        {
            Retally(query, key, remember: false);
        }
        PublishTally();
    }

    // Counts one queue's rows again from the store's current state.
    private void Retally(SessionQuery query, QueueKey key, bool remember = true)
    {
        if (_tally is null)
        {
            return;
        }
        var keyed = WithKeyColumnsCached(query);
        if (_rowCounter is null || !ReferenceEquals(_rowCounter.Query, keyed))
        {
            _rowCounter = QueryRowCounter.Create(keyed).Value;
        }
        var state = store.Get(key);
        var node = state?.Node ?? store.NodeName;
        _tally.Set(key, node, state is null ? 0 : _rowCounter.RowsOf(node, state));
        if (remember && _fullCountsRunning > 0)
        {
            _retalliedWhileCounting.Add(key);
        }
    }

    private void PublishTally()
    {
        if (_tally is null)
        {
            return;
        }
        // As a full count would say it: each node's rows up to the cap, and whether any node had more.
        (MatchCount, MatchCountCapped) = (_tally.RowsUpTo(MatchCountCap), _tally.Exceeds(MatchCountCap));
        if (MatchCountCapped)
        {
            // Past the cap the per-queue counts would grow without bound: full counts from here on.
            _tally = null;
        }
    }

    private SessionQuery? _keyedFor;
    private SessionQuery? _keyed;

    // The same keyed query object for the same query, so the row counter is built once per query.
    private SessionQuery WithKeyColumnsCached(SessionQuery query)
    {
        if (!ReferenceEquals(_keyedFor, query))
        {
            (_keyedFor, _keyed) = (query, WithKeyColumns(query));
        }
        return _keyed!;
    }

    /// <summary>Each counted queue's node and rows, and the rows per node.</summary>
    private sealed class MatchTally
    {
        private readonly Dictionary<QueueKey, (string Node, int Rows)> _queues = [];
        private readonly Dictionary<string, int> _nodes = new(StringComparer.Ordinal);

        public void AddRow(QueueKey key, string node)
        {
            var rows = _queues.TryGetValue(key, out var known) ? known.Rows : 0;
            _queues[key] = (node, rows + 1);
            _nodes[node] = _nodes.GetValueOrDefault(node) + 1;
        }

        public void Set(QueueKey key, string node, int rows)
        {
            if (_queues.Remove(key, out var old))
            {
                _nodes[old.Node] -= old.Rows;
            }
            if (rows > 0)
            {
                _queues[key] = (node, rows);
                _nodes[node] = _nodes.GetValueOrDefault(node) + rows;
            }
        }

        public int RowsUpTo(int cap) => _nodes.Values.Sum(rows => Math.Min(rows, cap));

        public bool Exceeds(int cap) => _nodes.Values.Any(rows => rows > cap);
    }

    private async Task RunAndShowAsync(ChangedKeys? changes, bool recount)
    {
        if (Query is not { } query)
        {
            return;
        }
        var run = await RunAsync(WithKeyColumns(query));
        if (!ReferenceEquals(Query, query) || !run.IsSuccess)
        {
            return;
        }
        // A live refresh keeps the count it has; it counts only when the limit starts cutting.
        var count = run.Value.LimitReached && (recount || MatchCount is null);
        Show(run.Value, trackChanges: true, changes);
        if (count)
        {
            await CountAsync(query);
        }
    }

    // Small stores answer at once on the caller's thread; large ones off it, shared between pages.
    private async Task<Result<QueryResult>> RunAsync(SessionQuery keyed) =>
        sharedRuns is null || store.Counters.Queues < SharedRefreshSessions
            ? QueryEngine.Run(keyed, store)
            : await sharedRuns.RunAsync(keyed);

    /// <summary>
    /// Whether the changed queues can change the rows shown. Rows come in key order per node, the first
    /// <c>limit</c> of each: a queue not shown changes them only if it now matches and its node is not
    /// full or it sorts before the node's last row shown.
    /// </summary>
    private bool AffectsRows(SessionQuery query, ChangedKeys changes)
    {
        if (_matcher is null || !ReferenceEquals(_matcher.Query, query))
        {
            _matcher = QueueMatcher.Create(query).Value;
        }
        foreach (var key in changes.Keys.Keys)
        {
            if (_fingerprints.ContainsKey(key))
            {
                return true;
            }
            if (store.Get(key) is not { } state || !_matcher.Matches(state.Node ?? store.NodeName, state))
            {
                continue;
            }
            var node = state.Node ?? store.NodeName;
            if (!_nodeTails.TryGetValue(node, out var tail) || tail.Rows < query.Limit || key.CompareTo(tail.Last) < 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The query text with <paramref name="columns"/> shown, in that order.</summary>
    public string WithColumns(IReadOnlyList<string> columns) => Edit(q => q with { Columns = columns });

    /// <summary>The query text with <paramref name="filters"/> instead of the current ones.</summary>
    public string WithFilters(IReadOnlyList<FieldFilter> filters) => Edit(q => q with { Filters = filters });

    /// <summary>The query text with <paramref name="limit"/> rows per node.</summary>
    public string WithLimit(int limit) => Edit(q => q with { Limit = limit });

    /// <summary>The position of <paramref name="column"/> in the result's rows.</summary>
    public int IndexOf(string column) => Result is { } result ? IndexIn(result.Columns, column) : -1;

    /// <summary>The queue a grid row belongs to.</summary>
    public QueueKey? KeyOf(GridRow row)
    {
        var client = IndexOf("client_id");
        var mountpoint = IndexOf("mountpoint");
        return client < 0 || mountpoint < 0 || row.Cells[client] is not string clientId
            ? null
            : new QueueKey(row.Cells[mountpoint] as string ?? "", clientId);
    }

    /// <summary>The queue's current state, for its marks (flapping, queue health); null when it is gone.</summary>
    public QueueState? StateOf(QueueKey key) => store.Get(key);

    /// <summary>The thresholds that mark a queue.</summary>
    public QueueHealthPolicy Health => store.Health;

    /// <summary>The user name the queue's session connected with, if one is attached.</summary>
    public string? UserOf(QueueKey key) => store.Get(key) is { Sessions: [var session, ..] } ? session.User : null;

    private static SessionQuery WithKeyColumns(SessionQuery query)
    {
        var columns = query.EffectiveColumns;
        var missing = KeyColumns.Where(k => !columns.Contains(k)).ToArray();
        return missing.Length == 0 ? query : query with { Columns = [.. columns, .. missing] };
    }

    private string Edit(Func<SessionQuery, SessionQuery> change) => change(Query ?? SessionQuery.Default).ToText();

    /// <summary>
    /// The queues that the last good query matches, ignoring its limit: what "all matching the filter"
    /// selects. At most <see cref="MatchCountCap"/> rows are read, so a huge match set is cut (and says so).
    /// </summary>
    public IReadOnlyList<QueueKey> MatchingKeys(out bool capped)
    {
        capped = false;
        if (Query is null)
        {
            return [];
        }
        // The shown columns stay: showing topic alone leaves out queues without subscriptions (docs/query-language.md#the-session-table).
        var run = QueryEngine.Run(WithKeyColumns(Query) with { Limit = MatchCountCap }, store);
        if (!run.IsSuccess)
        {
            return [];
        }
        capped = run.Value.LimitReached;
        var client = IndexIn(run.Value.Columns, "client_id");
        var mountpoint = IndexIn(run.Value.Columns, "mountpoint");
        return [.. run.Value.Rows
            .Select(row => new QueueKey(row[mountpoint] as string ?? "", row[client] as string ?? ""))
            .Distinct()];
    }

    private bool Run(SessionQuery query, out string? error, bool trackChanges)
    {
        var keyed = WithKeyColumns(query);
        var run = QueryEngine.Run(keyed, store);
        if (!run.IsSuccess)
        {
            error = run.Error;
            return false;
        }
        Show(run.Value, trackChanges, changes: null);
        // The count behind the limit note: only worth a second pass when the limit cut, and bounded.
        if (run.Value.LimitReached && QueryEngine.Run(keyed with { Limit = MatchCountCap }, store) is { IsSuccess: true } counted)
        {
            InstallCount(query, counted.Value);
        }
        error = null;
        return true;
    }

    // The count shown stays while the limit still cuts; it goes when the limit no longer does.
    private void Show(QueryResult result, bool trackChanges, ChangedKeys? changes)
    {
        Result = result;
        TrackChanges(trackChanges, changes);
        if (!result.LimitReached)
        {
            (MatchCount, MatchCountCapped) = (null, false);
            _tally = null;
        }
    }

    // Which queues' cells changed, by a hash of each queue's cells (not their text: with every row of
    // 100,000 sessions shown, building strings made this most of a refresh; a collision only costs one
    // missed highlight). After a live change only the changed queues are hashed again: the store says
    // the others did not change.
    private void TrackChanges(bool report, ChangedKeys? changes)
    {
        var client = IndexOf("client_id");
        var mountpoint = IndexOf("mountpoint");
        var nodeColumn = IndexOf("node");
        var fingerprints = new Dictionary<QueueKey, int>(_fingerprints.Count);
        var tails = new Dictionary<string, (int Rows, QueueKey Last)>(StringComparer.Ordinal);
        var changed = new HashSet<QueueKey>();
        var rehash = new HashSet<QueueKey>();
        foreach (var cells in Result?.Rows ?? [])
        {
            if (client < 0 || mountpoint < 0 || cells[client] is not string clientId || cells[mountpoint] is not string mount)
            {
                continue;
            }
            var key = new QueueKey(mount, clientId);
            var node = nodeColumn >= 0 && cells[nodeColumn] is string name ? name : store.NodeName;
            tails[node] = (tails.TryGetValue(node, out var tail) ? tail.Rows + 1 : 1, key);
            if (changes is not null && !changes.Contains(key) && _fingerprints.TryGetValue(key, out var unchanged))
            {
                fingerprints[key] = unchanged;
                continue;
            }
            // A queue's later rows (one per subscription or message) fold into its first row's hash.
            var hash = new HashCode();
            if (!rehash.Add(key) && fingerprints.TryGetValue(key, out var earlier))
            {
                hash.Add(earlier);
            }
            foreach (var cell in cells)
            {
                AddCell(ref hash, cell);
            }
            fingerprints[key] = hash.ToHashCode();
        }
        if (report)
        {
            foreach (var key in rehash)
            {
                if (!_fingerprints.TryGetValue(key, out var before) || before != fingerprints[key])
                {
                    changed.Add(key);
                }
            }
        }
        Changed = changed;
        _fingerprints = fingerprints;
        _nodeTails = tails;
    }

    private static void AddCell(ref HashCode hash, object? cell)
    {
        switch (cell)
        {
            case null:
                // Distinct from any value, so null and "undefined" differ.
                hash.Add(-1);
                break;
            case ReadOnlyMemory<byte> bytes:
                hash.AddBytes(bytes.Span);
                break;
            default:
                hash.Add(cell);
                break;
        }
    }

    private static int IndexIn(IReadOnlyList<string> columns, string column)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] == column)
            {
                return i;
            }
        }
        return -1;
    }
}
