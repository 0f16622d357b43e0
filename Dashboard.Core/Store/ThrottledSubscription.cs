namespace Dashboard.Core.Store;

/// <summary>
/// Calls back at most once per interval after the store changed, with at most one call queued: a
/// change storm becomes one refresh per interval, never a backlog. A change after a quiet spell is
/// called back after a short settle (a tenth of the interval) rather than a whole interval, so a lone
/// change shows at once while a storm is still throttled (docs/live-feed.md#inside-the-dashboard).
/// </summary>
public sealed class ThrottledSubscription : IDisposable
{
    private readonly Func<Task> _callback;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly IDisposable _storeSubscription;
    private readonly Lock _lock = new();
    private readonly TimeSpan _settle;
    private ITimer? _timer;
    private long _lastCall = long.MinValue;
    private bool _disposed;

    /// <summary>Subscribes <paramref name="callback"/> to <paramref name="store"/>'s changes.</summary>
    public ThrottledSubscription(SessionStore store, TimeSpan interval, Func<Task> callback, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _callback = callback;
        _interval = interval;
        _time = time ?? TimeProvider.System;
        _settle = interval / 10;
        _storeSubscription = store.Subscribe(_ => Schedule());
    }

    private void Schedule()
    {
        lock (_lock)
        {
            if (_disposed || _timer is not null)
            {
                return;
            }
            // The later of: a settle after this change (the rest of its burst joins it), and a whole
            // interval after the previous call.
            var sinceLast = _lastCall == long.MinValue ? TimeSpan.MaxValue : _time.GetElapsedTime(_lastCall);
            var due = sinceLast >= _interval ? _settle : _interval - sinceLast;
            _timer = _time.CreateTimer(_ => _ = FireAsync(), null, due < _settle ? _settle : due, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task FireAsync()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            // Changes arriving from here on schedule the next call.
            _timer = null;
            _lastCall = _time.GetTimestamp();
            if (_disposed)
            {
                return;
            }
        }
        try
        {
            await _callback().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The consumer (a closed circuit) went away between the change and the call.
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
        }
    }
}
