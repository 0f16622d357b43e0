using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

/// <summary>What kind of change a <see cref="SessionChange"/> reports.</summary>
public enum ChangeKind
{
    /// <summary>A queue was created.</summary>
    Created,
    /// <summary>A session attached to the queue.</summary>
    Online,
    /// <summary>The last session detached; the queue stays.</summary>
    Offline,
    /// <summary>The queue was removed.</summary>
    Removed,
    /// <summary>A subscription was added or changed.</summary>
    Subscribed,
    /// <summary>A subscription was removed.</summary>
    Unsubscribed,
    /// <summary>A message was queued.</summary>
    MessageQueued,
    /// <summary>A queued message left the queue.</summary>
    MessageDelivered,
    /// <summary>A queued message was dropped because the queue was full.</summary>
    MessageDropped,
    /// <summary>Connection counters (waiting acks) changed.</summary>
    Updated,
}

/// <summary>One change of the store, in version order.</summary>
/// <param name="Version">Monotonically increasing store version of this change.</param>
/// <param name="Kind">What changed.</param>
/// <param name="Key">The queue.</param>
/// <param name="State">
/// The queue after the change, including later changes of the same batch that kept its presence (docs/store.md,
/// "Batches"); null when it was removed.
/// </param>
/// <param name="Detail">The topic (subscriptions) or message reference (messages) concerned.</param>
public sealed record SessionChange(long Version, ChangeKind Kind, QueueKey Key, QueueState? State, string? Detail = null);
