using System.Text.Json.Serialization;
using Dashboard.Core.Sessions;

namespace Dashboard.Core.Live;

/// <summary>A session as a live feed shows it: the queue's state and its first attached connection.</summary>
/// <param name="Mountpoint">The mountpoint; <c>""</c> for the default one.</param>
/// <param name="ClientId">The MQTT client id (attacker-controlled: render as text).</param>
/// <param name="IsOnline">Whether a session is attached.</param>
/// <param name="CleanSession">Whether the session ends with the connection.</param>
/// <param name="Subscriptions">Number of subscriptions.</param>
/// <param name="QueuedMessages">Number of queued messages.</param>
/// <param name="User">The user name of the attached connection; null when anonymous or offline.</param>
/// <param name="PeerHost">The attached connection's address; null offline.</param>
/// <param name="PeerPort">The attached connection's port; null offline.</param>
/// <param name="SessionStartedAt">When the attached connection started (Unix ms); null offline.</param>
/// <param name="Version">The store version at which this state was written.</param>
/// <param name="Reconnects">Connects within the flapping window (docs/operator-tools.md).</param>
/// <param name="Flapping">Whether the client is flapping.</param>
public sealed record SessionSummary(
    string Mountpoint,
    string ClientId,
    bool IsOnline,
    bool CleanSession,
    int Subscriptions,
    int QueuedMessages,
    string? User,
    string? PeerHost,
    int? PeerPort,
    long? SessionStartedAt,
    long Version,
    int Reconnects = 0,
    bool Flapping = false)
{
    /// <summary>The summary of a queue state.</summary>
    public static SessionSummary From(QueueState queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var session = queue.Sessions.IsEmpty ? null : queue.Sessions[0];
        return new SessionSummary(
            queue.Key.Mountpoint, queue.Key.ClientId, queue.IsOnline, queue.CleanSession,
            queue.Subscriptions.Length, (int)Math.Min(int.MaxValue, queue.MessageCount),
            session?.User, session?.PeerHost, session?.PeerPort, session?.StartedAt, queue.Version,
            queue.Reconnects, queue.IsFlapping);
    }
}

/// <summary>The matching sessions at one store version.</summary>
/// <param name="Version">The store version of the snapshot.</param>
/// <param name="Query">The subscription's query, canonical <c>vmq-admin</c> text.</param>
/// <param name="Sessions">Matching sessions in key order, at most the query's <c>--limit</c>.</param>
/// <param name="Truncated">Whether the limit cut the list.</param>
public sealed record SessionSnapshotMessage(long Version, string Query, IReadOnlyList<SessionSummary> Sessions, bool Truncated);

/// <summary>
/// The changes a live feed tells its consumers about (changes to queued messages and counters alone are
/// not sent; docs/live-feed.md). On the hub's wire each is its lower-case name: <c>created</c>, <c>online</c>, …
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeedChangeKind>))]
public enum FeedChangeKind
{
    /// <summary>The session was created.</summary>
    [JsonStringEnumMemberName("created")] Created,
    /// <summary>A connection attached.</summary>
    [JsonStringEnumMemberName("online")] Online,
    /// <summary>The last connection detached; a persistent session stays.</summary>
    [JsonStringEnumMemberName("offline")] Offline,
    /// <summary>The session was removed.</summary>
    [JsonStringEnumMemberName("removed")] Removed,
    /// <summary>A subscription was added or changed.</summary>
    [JsonStringEnumMemberName("subscribed")] Subscribed,
    /// <summary>A subscription was removed.</summary>
    [JsonStringEnumMemberName("unsubscribed")] Unsubscribed,
}

/// <summary>Whether a session came online or went offline; <c>online</c> or <c>offline</c> on the hub's wire.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Presence>))]
public enum Presence
{
    /// <summary>A connection attached.</summary>
    [JsonStringEnumMemberName("online")] Online,
    /// <summary>The last connection detached.</summary>
    [JsonStringEnumMemberName("offline")] Offline,
}

/// <summary>One session's latest change within a window.</summary>
/// <param name="Version">The store version of the session's latest change.</param>
/// <param name="Kind">The latest change a consumer is told about.</param>
/// <param name="Mountpoint">The mountpoint.</param>
/// <param name="ClientId">The client id (attacker-controlled: render as text).</param>
/// <param name="State">The session after the change; null when it was removed.</param>
/// <param name="InScope">False when the session was removed or no longer matches the query (it left the scope).</param>
/// <param name="Presence">The latest online or offline transition among the folded changes; null when there was none.</param>
/// <param name="Folded">How many store changes of this session the window folded into this one.</param>
public sealed record SessionChangeMessage(
    long Version, FeedChangeKind Kind, string Mountpoint, string ClientId, SessionSummary? State, bool InScope, Presence? Presence, int Folded);

/// <summary>Changes since <see cref="PreviousVersion"/>, complete up to <see cref="Version"/>.</summary>
/// <param name="PreviousVersion">The version of the previous snapshot or batch; a client holding another version missed something and should resync.</param>
/// <param name="Version">Every change up to this store version is accounted for.</param>
/// <param name="Changes">The matching sessions that changed, each once with its latest state.</param>
/// <param name="At">When the batch was sent.</param>
public sealed record SessionChangesMessage(long PreviousVersion, long Version, IReadOnlyList<SessionChangeMessage> Changes, DateTimeOffset At);

/// <summary>Totals of the matching sessions.</summary>
/// <param name="Version">The store version they were taken at.</param>
/// <param name="Online">Sessions online.</param>
/// <param name="Offline">Persistent sessions offline.</param>
/// <param name="Subscriptions">Subscriptions.</param>
/// <param name="QueuedMessages">Queued messages.</param>
/// <param name="ConnectsLastMinute">Sessions that came online in the last 60 seconds.</param>
/// <param name="DisconnectsLastMinute">Sessions that went offline or away in the last 60 seconds.</param>
/// <param name="At">When they were taken.</param>
public sealed record SessionCountersMessage(
    long Version, long Online, long Offline, long Subscriptions, long QueuedMessages,
    long ConnectsLastMinute, long DisconnectsLastMinute, DateTimeOffset At);
