using Dashboard.Core.Store;

namespace Dashboard.Components;

/// <summary>
/// How often the live views (sessions grid, a session's page, the app bar's counters) follow the store
/// through their <see cref="ThrottledSubscription"/> (docs/live-feed.md#inside-the-dashboard): one pace
/// for all of them, set here once.
/// </summary>
internal static class LivePace
{
    /// <summary>A change storm refreshes a view at most four times a second; a lone change shows after a tenth of it.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>Subscribes <paramref name="callback"/> to <paramref name="store"/> at the live views' pace.</summary>
    public static ThrottledSubscription Follow(SessionStore store, Func<ChangedKeys, Task> callback, TimeProvider time,
        Func<SessionChange, bool>? relevant = null) =>
        new(store, Interval, callback, time, relevant);
}
