namespace Dashboard.Core.Live;

/// <summary>
/// What a live-feed consumer receives: the SignalR hub's typed client (<c>/hubs/sessions</c>) and the
/// in-process Blazor views implement the same calls. Every message carries the store version.
/// </summary>
public interface ISessionsClient
{
    /// <summary>
    /// The matching sessions as of <see cref="SessionSnapshotMessage.Version"/>: sent on subscribe and
    /// after any gap. Changes after it follow with <see cref="SessionChangesMessage.PreviousVersion"/>
    /// equal to this version.
    /// </summary>
    Task Snapshot(SessionSnapshotMessage snapshot);

    /// <summary>Coalesced changes to matching sessions: at most one call per window, each session at most once.</summary>
    Task Changes(SessionChangesMessage changes);

    /// <summary>Totals of the matching sessions; at most once per counter interval.</summary>
    Task Counters(SessionCountersMessage counters);
}
