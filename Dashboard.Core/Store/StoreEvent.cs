using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

/// <summary>Something that happened at the broker, to be applied to the <see cref="SessionStore"/>.</summary>
/// <param name="Key">The queue it concerns.</param>
public abstract record StoreEvent(QueueKey Key);

/// <summary>A client connected. Creates the queue when needed; a clean session starts a fresh queue.</summary>
public sealed record ClientConnected(
    QueueKey Key, bool CleanSession, string? User, string PeerHost, int PeerPort, int Protocol) : StoreEvent(Key);

/// <summary>A client's connection ended. A clean session's queue goes; a persistent one goes offline.</summary>
public sealed record ClientDisconnected(QueueKey Key) : StoreEvent(Key);

/// <summary>A subscription was added or replaced (same topic, new options).</summary>
public sealed record SubscriptionAdded(QueueKey Key, Subscription Subscription) : StoreEvent(Key);

/// <summary>A subscription was removed.</summary>
public sealed record SubscriptionRemoved(QueueKey Key, string Topic) : StoreEvent(Key);

/// <summary>A message was queued for the client.</summary>
public sealed record MessageQueued(QueueKey Key, QueuedMessage Message) : StoreEvent(Key);

/// <summary>A queued message was delivered (or dropped) and left the queue.</summary>
public sealed record MessageDelivered(QueueKey Key, string MsgRef) : StoreEvent(Key);

/// <summary>The number of unacknowledged outgoing messages of the client's session changed.</summary>
public sealed record WaitingAcksChanged(QueueKey Key, int WaitingAcks) : StoreEvent(Key);

/// <summary>The queue was deleted with its subscriptions and messages.</summary>
public sealed record QueueRemoved(QueueKey Key) : StoreEvent(Key);
