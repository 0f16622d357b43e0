using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

/// <summary>Something that happened at the broker, to be applied to the <see cref="SessionStore"/>.</summary>
/// <param name="Key">The queue it concerns.</param>
public abstract record StoreEvent(QueueKey Key);

/// <summary>A client connected. Creates the queue when needed; starting fresh discards an existing one.</summary>
/// <param name="Key">The queue.</param>
/// <param name="CleanSession">Whether the session ends with the connection (MQTT 5: session expiry 0).</param>
/// <param name="User">User name; null when anonymous.</param>
/// <param name="PeerHost">Client address.</param>
/// <param name="PeerPort">Client port.</param>
/// <param name="Protocol">3, 4 or 5.</param>
/// <param name="StartFresh">Whether an existing queue is discarded (MQTT 5 clean start); defaults to <paramref name="CleanSession"/>.</param>
/// <param name="SessionExpiry">
/// Seconds the queue outlives the connection: <see cref="uint.MaxValue"/> for ever (MQTT 3.x clean session
/// off), 0 when it ends with it. Only the session journal (docs/persistence.md) reads it.
/// </param>
public sealed record ClientConnected(
    QueueKey Key, bool CleanSession, string? User, string PeerHost, int PeerPort, int Protocol, bool? StartFresh = null,
    uint SessionExpiry = 0) : StoreEvent(Key);

/// <summary>A client's connection ended: the queue goes offline, or goes away when it is not kept.</summary>
/// <param name="Key">The queue.</param>
/// <param name="KeepQueue">Whether the queue stays; defaults to "unless clean session" (MQTT 5 may change it at DISCONNECT).</param>
/// <param name="SessionExpiry">The session expiry an MQTT 5 DISCONNECT set, when it set one.</param>
public sealed record ClientDisconnected(QueueKey Key, bool? KeepQueue = null, uint? SessionExpiry = null) : StoreEvent(Key);

/// <summary>A subscription was added or replaced (same topic, new options).</summary>
public sealed record SubscriptionAdded(QueueKey Key, Subscription Subscription) : StoreEvent(Key);

/// <summary>A subscription was removed.</summary>
public sealed record SubscriptionRemoved(QueueKey Key, string Topic) : StoreEvent(Key);

/// <summary>A message was queued for the client.</summary>
public sealed record MessageQueued(QueueKey Key, QueuedMessage Message) : StoreEvent(Key);

/// <summary>A queued message was delivered (or dropped) and left the queue.</summary>
public sealed record MessageDelivered(QueueKey Key, string MsgRef) : StoreEvent(Key);

/// <summary>A queued message was dropped because the queue was full (the oldest goes first).</summary>
public sealed record MessageDropped(QueueKey Key, string MsgRef) : StoreEvent(Key);

/// <summary>The number of unacknowledged outgoing messages of the client's session changed.</summary>
public sealed record WaitingAcksChanged(QueueKey Key, int WaitingAcks) : StoreEvent(Key);

/// <summary>
/// Judge a queue's flapping flag again: the client stopped flapping without connecting, so nothing else
/// would tell the consumers. Writes the same queue at a new version as an update.
/// </summary>
public sealed record FlappingRechecked(QueueKey Key) : StoreEvent(Key);

/// <summary>The queue was deleted with its subscriptions and messages.</summary>
public sealed record QueueRemoved(QueueKey Key) : StoreEvent(Key);

/// <summary>
/// A queue as a mirrored broker reports it (docs/vernemq.md), or as the embedded broker restored it from
/// disk (docs/persistence.md): its state replaces whatever the store had for the key, and only what
/// differs is reported as changes.
/// </summary>
public sealed record QueueMirrored(QueueKey Key, MirroredQueue Queue) : StoreEvent(Key);

/// <summary>One queue of a mirrored broker, with everything the session table shows of it.</summary>
/// <param name="Node">The node holding it; null for the store's own node (a session restored from disk).</param>
/// <param name="QueuePid">Its pid as the broker writes it.</param>
/// <param name="StartedAt">When the queue was created, Unix epoch milliseconds.</param>
/// <param name="CleanSession">Whether the session ends with the connection.</param>
/// <param name="Session">The attached session; null when offline.</param>
/// <param name="Subscriptions">Its subscriptions, in any order.</param>
/// <param name="Messages">Its queued messages, oldest first, where their details were read.</param>
/// <param name="UnlistedMessages">Messages the broker counts whose details were not read.</param>
public sealed record MirroredQueue(
    string? Node,
    string? QueuePid,
    long StartedAt,
    bool CleanSession,
    AttachedSession? Session,
    IReadOnlyList<Subscription> Subscriptions,
    IReadOnlyList<QueuedMessage> Messages,
    long UnlistedMessages = 0);
