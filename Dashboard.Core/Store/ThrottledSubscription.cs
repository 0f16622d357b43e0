using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

/// <summary>
/// What changed in the store since the previous call of a <see cref="ThrottledSubscription"/>: each
/// changed queue once, with its latest kind of change, and the store version of the latest change.
/// <see cref="Resync"/> says that more queues changed than the subscription keeps: the consumer must
/// treat everything as changed (<see cref="Keys"/> is empty then).
/// </summary>
public sealed record ChangedKeys(IReadOnlyDictionary<QueueKey, ChangeKind> Keys, long Version, bool Resync)
{
    /// <summary>Whether <paramref name="key"/> changed (always true after a resync).</summary>
    public bool Contains(QueueKey key) => Resync || Keys.ContainsKey(key);
}

/// <summary>
/// The one way the dashboard's pages follow the store (docs/live-feed.md#inside-the-dashboard): a
/// throttled, coalesced stream of the queues that changed. A change storm becomes at most one call per
/// interval, each with the set of changed keys (bounded: past <c>maxKeys</c> the call says resync
/// instead), never a backlog: while a call runs nothing else is called, and what changed meanwhile waits
/// for the next call. A change after a quiet spell is called back after a short settle (a tenth of the
/// interval) rather than a whole interval, so a lone change shows at once while a storm is still
/// throttled. A subscriber that only cares about some changes (one queue, the totals) says so with
/// <c>relevant</c>, and is not woken by the others.
/// </summary>
public sealed class ThrottledSubscription : IDisposable
{
    /// <summary>Changed keys kept between two calls before the subscription gives up listing them and asks for a resync.</summary>
    public const int DefaultMaxKeys = 10_000;

    private readonly Func<ChangedKeys, Task> _callback;
    private readonly Func<SessionChange, bool>? _relevant;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly IDisposable _storeSubscription;
    private readonly Lock _lock = new();
    private readonly TimeSpan _settle;
    private readonly int _maxKeys;
    private Dictionary<QueueKey, ChangeKind> _pending = [];
    private bool _resync;
    private bool _changed;
    private long _version;
    private bool _running;
    private ITimer? _timer;
    private long _lastCall = long.MinValue;
    private bool _disposed;

    /// <summary>Subscribes <paramref name="callback"/> to <paramref name="store"/>'s changes, without caring which queues changed.</summary>
    public ThrottledSubscription(SessionStore store, TimeSpan interval, Func<Task> callback, TimeProvider? time = null)
        : this(store, interval, _ => callback(), time)
    {
    }

    /// <summary>Subscribes <paramref name="callback"/> to <paramref name="store"/>'s changes that <paramref name="relevant"/> accepts (all when null).</summary>
    public ThrottledSubscription(SessionStore store, TimeSpan interval, Func<ChangedKeys, Task> callback, TimeProvider? time = null,
        Func<SessionChange, bool>? relevant = null, int maxKeys = DefaultMaxKeys)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        _callback = callback;
        _relevant = relevant;
        _interval = interval;
        _maxKeys = maxKeys;
        _time = time ?? TimeProvider.System;
        _settle = interval / 10;
        _storeSubscription = store.Subscribe(Record);
    }

    // On the writer's thread, under the store's write lock: only records.
    private void Record(IReadOnlyList<SessionChange> changes)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            foreach (var change in changes)
            {
                if (_relevant is not null && !_relevant(change))
                {
                    continue;
                }
                _changed = true;
                _version = change.Version;
                if (_resync)
                {
                    continue;
                }
                if (_pending.Count >= _maxKeys && !_pending.ContainsKey(change.Key))
                {
                    // Too many to list: the consumer re-reads everything instead, and memory stays bounded.
                    _resync = true;
                    _pending.Clear();
                    continue;
                }
                _pending[change.Key] = change.Kind;
            }
            if (_changed)
            {
                ScheduleLocked();
            }
        }
    }

    private void ScheduleLocked()
    {
        if (_disposed || _timer is not null || _running)
        {
            return;
        }
        // The later of: a settle after this change (the rest of its burst joins it), and a whole
        // interval after the previous call.
        var sinceLast = _lastCall == long.MinValue ? TimeSpan.MaxValue : _time.GetElapsedTime(_lastCall);
        var due = sinceLast >= _interval ? _settle : _interval - sinceLast;
        _timer = _time.CreateTimer(_ => _ = FireAsync(), null, due < _settle ? _settle : due, Timeout.InfiniteTimeSpan);
    }

    private async Task FireAsync()
    {
        ChangedKeys batch;
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            _lastCall = _time.GetTimestamp();
            if (_disposed || !_changed)
            {
                return;
            }
            batch = new ChangedKeys(_pending, _version, _resync);
            _pending = [];
            _resync = false;
            _changed = false;
            // Changes arriving from here on wait for this call to end (back-pressure), then schedule the next.
            _running = true;
        }
        try
        {
            await _callback(batch).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The consumer (a closed circuit) went away between the change and the call.
        }
        finally
        {
            lock (_lock)
            {
                _running = false;
                if (_changed)
                {
                    ScheduleLocked();
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _storeSubscription.Dispose();
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            _pending = [];
        }
    }
}
