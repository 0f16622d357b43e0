namespace Dashboard.Core.Live;

/// <summary>How a <see cref="SessionFeed"/> coalesces.</summary>
public sealed record SessionFeedOptions
{
    /// <summary>Changes are sent at most once per window (default 100 ms: at most 10 pushes a second).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Counters are sent once per interval (default 1 s); they double as the feed's heartbeat.</summary>
    public TimeSpan CounterInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most sessions a window may hold pending; beyond it the pending changes are dropped and the
    /// consumer gets a fresh snapshot instead, so a storm never queues without bound.
    /// </summary>
    public int MaxPendingSessions { get; init; } = 10_000;
}
