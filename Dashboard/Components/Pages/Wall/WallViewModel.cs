using Dashboard.Core.Live;

namespace Dashboard.Components.Pages.Wall;

/// <summary>One line of the wall's ticker.</summary>
public sealed record TickerEntry(DateTimeOffset At, string ClientId, bool Online);

/// <summary>
/// The wall's state: the latest counters, the latest online/offline events and the online history.
/// It is the feed's consumer, so it holds what the feed sent (totals and a short event list), never
/// a copy of the sessions.
/// </summary>
public sealed class WallViewModel(OnlineHistory history, TimeProvider time) : ISessionsClient
{
    public const int TickerLength = 12;

    private readonly Lock _lock = new();
    private readonly LinkedList<TickerEntry> _ticker = new();

    /// <summary>Called after each message, on the feed's thread.</summary>
    public Func<Task>? Updated { get; set; }

    /// <summary>Whether the view records its own history (a scoped wall) or shows the node's.</summary>
    public bool RecordsHistory { get; init; }

    public OnlineHistory History => history;

    public SessionCountersMessage? LatestCounters { get; private set; }

    public IReadOnlyList<TickerEntry> Ticker
    {
        get
        {
            lock (_lock)
            {
                return [.. _ticker];
            }
        }
    }

    public Task Snapshot(SessionSnapshotMessage snapshot) => NotifyAsync();

    public Task Changes(SessionChangesMessage changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_lock)
        {
            foreach (var change in changes.Changes)
            {
                if (change.Presence is { } presence)
                {
                    _ticker.AddFirst(new TickerEntry(changes.At, change.ClientId, presence == Presence.Online));
                }
            }
            while (_ticker.Count > TickerLength)
            {
                _ticker.RemoveLast();
            }
        }
        return NotifyAsync();
    }

    public Task Counters(SessionCountersMessage counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        LatestCounters = counters;
        if (RecordsHistory)
        {
            history.Record(counters.At, counters.Online);
        }
        return NotifyAsync();
    }

    /// <summary>A time in the server's local zone, as the wall shows it.</summary>
    public string Clock(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, time.LocalTimeZone).ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    private Task NotifyAsync() => Updated?.Invoke() ?? Task.CompletedTask;
}
