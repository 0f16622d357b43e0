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
/// <remarks>
/// The key is read from the state, and a removal holds the queue's removal marker in place of a state,
/// so a change is 48 bytes, not 64: the store makes several per event (docs/store.md, "Garbage collection").
/// </remarks>
public sealed record SessionChange
{
    // The queue's state, or its removal marker (a state with IsRemoved set) when it was removed.
    private readonly QueueState _state;

    internal SessionChange(long version, ChangeKind kind, QueueState state, string? detail = null)
    {
        Version = version;
        Kind = kind;
        _state = state;
        Detail = detail;
    }

    /// <summary>Monotonically increasing store version of this change.</summary>
    public long Version { get; }

    /// <summary>What changed.</summary>
    public ChangeKind Kind { get; }

    /// <summary>The queue.</summary>
    public QueueKey Key => _state.Key;

    /// <summary>
    /// The queue after the change, including later changes of the same batch that kept its presence
    /// (docs/store.md, "Batches"); null when it was removed.
    /// </summary>
    public QueueState? State => _state.IsRemoved ? null : _state;

    /// <summary>The topic (subscriptions) or message reference (messages) concerned.</summary>
    public string? Detail { get; }
}
