using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Core.Live;

/// <summary>A client that is flapping now.</summary>
/// <param name="Key">Its queue key.</param>
/// <param name="Reconnects">Connects within the window.</param>
/// <param name="LastConnect">Its latest connect, Unix epoch milliseconds.</param>
public readonly record struct FlappingClient(QueueKey Key, int Reconnects, long LastConnect);

/// <summary>
/// The clients flapping now (docs/operator-tools.md), for the wall and the counters. Fed by the store's
/// change feed: a connect that makes a client flap adds it; a timer drops clients whose window has
/// moved past them, and has the store write their queue again so every view sees the flag go.
/// Bounded: at most <see cref="MaxTracked"/> clients, the ones that connected longest ago go first.
/// One per node (singleton). Thread-safe.
/// </summary>
public sealed class FlapMonitor : IDisposable
{
    /// <summary>The most flapping clients tracked at once.</summary>
    public const int MaxTracked = 10_000;

    private readonly SessionStore _store;
    private readonly FlapPolicy _policy;
    private readonly IDisposable _subscription;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private readonly Dictionary<QueueKey, ConnectHistory> _flapping = [];

    /// <summary>Starts watching <paramref name="store"/>; rechecks every <paramref name="interval"/> (default 1 s).</summary>
    public FlapMonitor(SessionStore store, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _policy = store.Flapping;
        _subscription = store.Subscribe(Record);
        var every = interval ?? TimeSpan.FromSeconds(1);
        _timer = _policy.Time.CreateTimer(_ => Recheck(), null, every, every);
    }

    /// <summary>How many clients flap now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _flapping.Count;
            }
        }
    }

    /// <summary>The flapping clients, most connects first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<FlappingClient> Worst(int limit)
    {
        var now = _policy.NowMs;
        lock (_lock)
        {
            return [.. _flapping
                .Select(pair => new FlappingClient(pair.Key, pair.Value.CountAt(now), pair.Value.Latest))
                .Where(client => client.Reconnects > _policy.Connects)
                .OrderByDescending(client => client.Reconnects)
                .ThenByDescending(client => client.LastConnect)
                .ThenBy(client => client.Key)
                .Take(limit)];
        }
    }

    // Runs on the store's writer under its lock: look at connects only, nothing slower.
    private void Record(IReadOnlyList<SessionChange> changes)
    {
        long? now = null;
        foreach (var change in changes)
        {
            if (change.Kind != ChangeKind.Online || change.State?.Connects is not { } connects)
            {
                continue;
            }
            now ??= _policy.NowMs;
            if (connects.CountAt(now.Value) <= _policy.Connects)
            {
                continue;
            }
            lock (_lock)
            {
                if (_flapping.Count >= MaxTracked && !_flapping.ContainsKey(change.Key))
                {
                    var oldest = _flapping.MinBy(pair => pair.Value.Latest);
                    _flapping.Remove(oldest.Key);
                }
                _flapping[change.Key] = connects;
            }
        }
    }

    /// <summary>Drops the clients that stopped flapping and has the store publish them again. The timer calls it.</summary>
    public void Recheck()
    {
        var now = _policy.NowMs;
        List<QueueKey>? calmed = null;
        lock (_lock)
        {
            foreach (var (key, connects) in _flapping)
            {
                if (connects.CountAt(now) <= _policy.Connects)
                {
                    (calmed ??= []).Add(key);
                }
            }
            if (calmed is null)
            {
                return;
            }
            foreach (var key in calmed)
            {
                _flapping.Remove(key);
            }
        }
        // Outside the lock: the store calls Record back while applying.
        var events = calmed.Select(key => (StoreEvent)new FlappingRechecked(key)).ToArray();
        _store.Apply(events);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _timer.Dispose();
        _subscription.Dispose();
    }
}
