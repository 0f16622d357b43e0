using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dashboard.Core.Live;

/// <summary>
/// One consumer's live view of the store: a snapshot, then coalesced changes of the sessions that match
/// a query, and counters. The store's listener only records the latest change per session; a timer
/// sends at most one batch per window, with at most one send in flight, so a slow consumer or a change
/// storm costs one pending entry per changed session (capped; beyond the cap the consumer resyncs).
/// </summary>
public sealed partial class SessionFeed : IDisposable
{
    private readonly SessionStore _store;
    private readonly QueueMatcher _matcher;
    private readonly ISessionsClient _client;
    private readonly SessionFeedOptions _options;
    private readonly SessionActivity? _activity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;
    private readonly ITimer _timer;
    private readonly ChangeRate _rate = new();

    // Guarded by _lock: what the store's listener records.
    private readonly Lock _lock = new();
    private Dictionary<QueueKey, Pending> _pending = [];
    private Dictionary<QueueKey, Pending> _spare = [];
    private long _seenVersion;
    private bool _snapshotDue = true;

    // Touched only by the one flush running at a time.
    private readonly HashSet<QueueKey> _inScope = [];
    private long _baseVersion;
    private long _toldVersion;
    private DateTimeOffset _countersSentAt = DateTimeOffset.MinValue;

    private int _flushing;
    private bool _disposed;

    /// <summary>
    /// Starts a feed for <paramref name="client"/>: the first tick sends a snapshot. <paramref name="activity"/>
    /// supplies node-wide connect rates to an unfiltered feed; a filtered feed counts its own from its start.
    /// </summary>
    public SessionFeed(
        SessionStore store,
        QueueMatcher matcher,
        ISessionsClient client,
        SessionFeedOptions? options = null,
        SessionActivity? activity = null,
        TimeProvider? time = null,
        ILogger<SessionFeed>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(client);
        _store = store;
        _matcher = matcher;
        _client = client;
        _options = options ?? new SessionFeedOptions();
        _activity = activity;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        // Subscribe before the first snapshot is opened, so no change falls between the two.
        _subscription = store.Subscribe(Record);
        _timer = _time.CreateTimer(_ => _ = FlushAsync(), null, TimeSpan.Zero, _options.Window);
    }

    /// <summary>The query this feed matches sessions against.</summary>
    public SessionQuery Query => _matcher.Query;

    /// <summary>Asks for a fresh snapshot on the next tick (a consumer that saw a gap calls this).</summary>
    public void RequestSnapshot()
    {
        lock (_lock)
        {
            _snapshotDue = true;
        }
    }

    // Runs on the store's writer under its lock: record the latest change per session, nothing more.
    private void Record(IReadOnlyList<SessionChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes)
            {
                _seenVersion = change.Version;
                if (_snapshotDue)
                {
                    continue;
                }
                var shown = Shown(change.Kind);
                if (!_pending.TryGetValue(change.Key, out var pending))
                {
                    if (shown is null)
                    {
                        // Queued messages alone are not pushed; the counters carry their totals.
                        continue;
                    }
                    if (_pending.Count >= _options.MaxPendingSessions)
                    {
                        // Too much to send one by one: drop it all and send a snapshot instead.
                        _pending.Clear();
                        _snapshotDue = true;
                        continue;
                    }
                    pending = new Pending();
                    _pending.Add(change.Key, pending);
                }
                pending.Add(change, shown);
            }
        }
    }

    private async Task FlushAsync()
    {
        if (Interlocked.CompareExchange(ref _flushing, 1, 0) != 0)
        {
            // The previous send is still going: changes keep folding into the pending entries.
            return;
        }
        try
        {
            bool snapshotDue;
            Dictionary<QueueKey, Pending> pending;
            long seen;
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }
                snapshotDue = _snapshotDue;
                _snapshotDue = false;
                pending = _pending;
                _pending = _spare;
                seen = _seenVersion;
            }
            var now = _time.GetUtcNow();
            if (snapshotDue)
            {
                pending.Clear();
                await SendSnapshotAsync().ConfigureAwait(false);
            }
            else if (pending.Count > 0)
            {
                await SendChangesAsync(pending, seen, now).ConfigureAwait(false);
            }
            pending.Clear();
            lock (_lock)
            {
                _spare = pending;
            }
            if (now - _countersSentAt >= _options.CounterInterval)
            {
                _countersSentAt = now;
                await _client.Counters(Counters(now)).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A consumer that went away or failed a send: the next tick tries again with the latest state.
            LogSendFailed(exception);
        }
        finally
        {
            Volatile.Write(ref _flushing, 0);
        }
    }

    private async Task SendSnapshotAsync()
    {
        var sessions = new List<SessionSummary>();
        var truncated = false;
        long version;
        _inScope.Clear();
        using (var snapshot = _store.OpenSnapshot())
        {
            version = snapshot.Version;
            foreach (var queue in snapshot.Queues())
            {
                if (!_matcher.Matches(queue.Node ?? snapshot.NodeName, queue))
                {
                    continue;
                }
                if (!_matcher.MatchesAll)
                {
                    _inScope.Add(queue.Key);
                }
                if (sessions.Count < _matcher.Query.Limit)
                {
                    sessions.Add(SessionSummary.From(queue));
                }
                else
                {
                    truncated = true;
                    if (_matcher.MatchesAll)
                    {
                        break;
                    }
                }
            }
        }
        _baseVersion = version;
        _toldVersion = version;
        await _client.Snapshot(new SessionSnapshotMessage(version, _matcher.Query.ToText(), sessions, truncated)).ConfigureAwait(false);
    }

    private async Task SendChangesAsync(Dictionary<QueueKey, Pending> pending, long seen, DateTimeOffset now)
    {
        var messages = new List<SessionChangeMessage>(pending.Count);
        long connects = 0, disconnects = 0;
        foreach (var (key, change) in pending)
        {
            if (change.Version <= _baseVersion)
            {
                // Already in the snapshot this feed sent.
                continue;
            }
            bool inScope;
            if (change.State is null)
            {
                inScope = false;
                if (!_matcher.MatchesAll && !_inScope.Remove(key))
                {
                    continue;
                }
            }
            else if (_matcher.MatchesAll)
            {
                inScope = true;
            }
            else if (_matcher.Matches(change.State.Node ?? _store.NodeName, change.State))
            {
                inScope = true;
                _inScope.Add(key);
            }
            else if (_inScope.Remove(key))
            {
                inScope = false;
            }
            else
            {
                continue;
            }
            connects += change.Connects;
            disconnects += change.Disconnects;
            messages.Add(new SessionChangeMessage(
                change.Version, change.Kind, key.Mountpoint, key.ClientId,
                change.State is null ? null : SessionSummary.From(change.State), inScope, change.Presence, change.Folded));
        }
        _rate.Add(now, connects, disconnects);
        if (messages.Count == 0)
        {
            return;
        }
        messages.Sort((a, b) => a.Version.CompareTo(b.Version));
        var previous = _toldVersion;
        _toldVersion = seen;
        await _client.Changes(new SessionChangesMessage(previous, seen, messages, now)).ConfigureAwait(false);
    }

    private SessionCountersMessage Counters(DateTimeOffset now)
    {
        var useNodeRate = _matcher.MatchesAll && _activity is not null;
        var (connects, disconnects) = useNodeRate ? _activity!.Rate.LastMinute(now) : _rate.LastMinute(now);
        if (_matcher.MatchesAll)
        {
            var totals = _store.Counters;
            return new SessionCountersMessage(totals.Version, totals.Online, totals.Offline, totals.Subscriptions,
                totals.QueuedMessages, connects, disconnects, now);
        }
        // A scope's totals are counted from a snapshot: one pass over the queues per interval.
        long online = 0, offline = 0, subscriptions = 0, queued = 0;
        using var snapshot = _store.OpenSnapshot();
        foreach (var queue in snapshot.Queues())
        {
            if (!_matcher.Matches(queue.Node ?? snapshot.NodeName, queue))
            {
                continue;
            }
            if (queue.IsOnline)
            {
                online++;
            }
            else
            {
                offline++;
            }
            subscriptions += queue.Subscriptions.Length;
            queued += queue.MessageCount;
        }
        return new SessionCountersMessage(snapshot.Version, online, offline, subscriptions, queued, connects, disconnects, now);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _subscription.Dispose();
        _timer.Dispose();
        lock (_lock)
        {
            _disposed = true;
            _pending.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A live feed send failed; the next tick sends the latest state.")]
    private partial void LogSendFailed(Exception exception);

    /// <summary>The change a consumer is told about, or null for one it is not (queued messages, counters).</summary>
    private static FeedChangeKind? Shown(ChangeKind kind) => kind switch
    {
        ChangeKind.Created => FeedChangeKind.Created,
        ChangeKind.Online => FeedChangeKind.Online,
        ChangeKind.Offline => FeedChangeKind.Offline,
        ChangeKind.Removed => FeedChangeKind.Removed,
        ChangeKind.Subscribed => FeedChangeKind.Subscribed,
        ChangeKind.Unsubscribed => FeedChangeKind.Unsubscribed,
        _ => null,
    };

    /// <summary>The latest change of one session within a window.</summary>
    private sealed class Pending
    {
        // Set by the first change (a pending entry starts with a shown one, see Record).
        public FeedChangeKind Kind { get; private set; }
        public long Version { get; private set; }
        public QueueState? State { get; private set; }
        public Presence? Presence { get; private set; }
        public int Folded { get; private set; }
        public int Connects { get; private set; }
        public int Disconnects { get; private set; }

        public void Add(SessionChange change, FeedChangeKind? shown)
        {
            Version = change.Version;
            State = change.State;
            Folded++;
            if (shown is { } kind)
            {
                Kind = kind;
            }
            if (change.Kind == ChangeKind.Online)
            {
                Presence = Live.Presence.Online;
                Connects++;
            }
            else if (change.Kind == ChangeKind.Offline)
            {
                Presence = Live.Presence.Offline;
                Disconnects++;
            }
        }
    }
}
