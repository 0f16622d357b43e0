using Dashboard.Core.Store;

namespace Dashboard.Core.Live;

/// <summary>
/// Node-wide activity that a view cannot reconstruct from the store: connects and disconnects over the
/// last minute and the history of sessions online. One per node (singleton), fed by the store's
/// change feed and a sampling timer; it keeps counts, never session state.
/// </summary>
public sealed class SessionActivity : IDisposable
{
    private readonly SessionStore _store;
    private readonly TimeProvider _time;
    private readonly IDisposable _subscription;
    private readonly ITimer _sampler;

    /// <summary>Starts counting and sampling <paramref name="store"/> every <paramref name="sampleInterval"/> (default 10 s).</summary>
    public SessionActivity(SessionStore store, TimeProvider? time = null, TimeSpan? sampleInterval = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = time ?? TimeProvider.System;
        var interval = sampleInterval ?? TimeSpan.FromSeconds(10);
        History = new OnlineHistory(interval);
        _subscription = store.Subscribe(Record);
        _sampler = _time.CreateTimer(_ => Sample(), null, TimeSpan.Zero, interval);
    }

    /// <summary>Connects and disconnects of the whole node.</summary>
    public ChangeRate Rate { get; } = new();

    /// <summary>Sessions online over time on the whole node.</summary>
    public OnlineHistory History { get; }

    /// <summary>Takes a history sample now (the timer does this every interval).</summary>
    public void Sample() => History.Record(_time.GetUtcNow(), _store.Counters.Online);

    // Runs on the store's writer under its lock: count, nothing more.
    private void Record(IReadOnlyList<SessionChange> changes)
    {
        long connects = 0, disconnects = 0;
        foreach (var change in changes)
        {
            if (change.Kind == ChangeKind.Online)
            {
                connects++;
            }
            else if (change.Kind == ChangeKind.Offline)
            {
                disconnects++;
            }
        }
        Rate.Add(_time.GetUtcNow(), connects, disconnects);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _subscription.Dispose();
        _sampler.Dispose();
    }
}
