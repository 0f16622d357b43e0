using System.Collections.Immutable;

namespace Dashboard.Core.Sessions;

/// <summary>
/// The state of one queue at one version. Immutable once readers can see it: the store replaces it on
/// every change, so a reader holding one sees a consistent queue. Within one batch of changes, before
/// the batch is published, the store may revise a state it wrote earlier in that batch instead of
/// writing another (docs/store.md, "Batches").
/// </summary>
public sealed class QueueState
{
    // What rarely changes over a queue's life, shared by its successive states: a state written per
    // event then costs 80 bytes instead of 128 (docs/store.md, "Garbage collection").
    private QueueInfo _info;

    /// <summary>Creates a queue state.</summary>
    public QueueState(
        QueueKey key,
        long queueId,
        long startedAt,
        bool cleanSession,
        QueueStateName stateName,
        ImmutableArray<AttachedSession> sessions,
        ImmutableArray<Subscription> subscriptions,
        MessageList messages,
        long version,
        long droppedMessages = 0,
        string? node = null,
        string? queuePid = null,
        long unlistedMessages = 0,
        ConnectHistory? connects = null)
        : this(new QueueInfo(key, queueId, startedAt, queuePid, unlistedMessages, droppedMessages, connects), cleanSession, stateName,
            sessions, subscriptions, messages, version, node)
    {
    }

    private QueueState(
        QueueInfo info,
        bool cleanSession,
        QueueStateName stateName,
        ImmutableArray<AttachedSession> sessions,
        ImmutableArray<Subscription> subscriptions,
        MessageList messages,
        long version,
        string? node)
    {
        _info = info;
        CleanSession = cleanSession;
        StateName = stateName;
        Sessions = sessions;
        Subscriptions = subscriptions;
        Messages = messages;
        Version = version;
        Node = node;
    }

    /// <summary>Mountpoint and client id.</summary>
    public QueueKey Key => _info.Key;

    /// <summary>Opaque per-queue id, shown as <c>queue_pid</c>.</summary>
    public long QueueId => _info.QueueId;

    /// <summary>When the queue was created, Unix epoch milliseconds.</summary>
    public long StartedAt => _info.StartedAt;

    /// <summary>Whether the session ends with the connection (MQTT 5: session expiry 0).</summary>
    public bool CleanSession { get; }

    /// <summary>The queue's state name.</summary>
    public QueueStateName StateName { get; }

    /// <summary>Attached sessions; empty when offline.</summary>
    public ImmutableArray<AttachedSession> Sessions { get; private set; }

    /// <summary>Subscriptions, ordered by topic (ordinal).</summary>
    public ImmutableArray<Subscription> Subscriptions { get; private set; }

    /// <summary>Queued messages, oldest first.</summary>
    public MessageList Messages { get; private set; }

    /// <summary>
    /// Messages a mirrored broker counts but whose details were not read (docs/vernemq.md: reading
    /// them costs VerneMQ a walk of every queue); 0 for the store's own queues.
    /// </summary>
    public long UnlistedMessages => _info.UnlistedMessages;

    /// <summary>Every message waiting, listed or only counted.</summary>
    public long MessageCount => Messages.Length + _info.UnlistedMessages;

    /// <summary>Messages dropped because the queue was full, since the queue was created.</summary>
    public long DroppedMessages => _info.DroppedMessages;

    /// <summary>
    /// The node holding the queue when it is mirrored from a cluster (docs/vernemq.md); null for the
    /// store's own node. Kept in the state itself: a scan reads it for every queue.
    /// </summary>
    public string? Node { get; }

    /// <summary>The queue's pid as the mirrored broker wrote it; null when the store made the queue.</summary>
    public string? QueuePid => _info.QueuePid;

    /// <summary>The store version at which this state was written.</summary>
    public long Version { get; private set; }

    /// <summary>The client's recent connects (docs/operator-tools.md); null before its first.</summary>
    public ConnectHistory? Connects => _info.Connects;

    /// <summary>Connects within the flapping window now.</summary>
    public int Reconnects => Connects?.Reconnects ?? 0;

    /// <summary>Whether the client is flapping now.</summary>
    public bool IsFlapping => Connects?.IsFlapping ?? false;

    /// <summary>The queue-health thresholds this state is at or over, as the store judged it when writing it.</summary>
    public QueueMarks Marks { get; internal set; }

    /// <summary>Whether a session is attached.</summary>
    public bool IsOnline => StateName == QueueStateName.Online;

    /// <summary>The state this one replaced, kept only while an older snapshot may still read it.</summary>
    internal QueueState? Older { get; set; }

    /// <summary>Set on the marker state written when the queue is removed.</summary>
    internal bool IsRemoved { get; init; }

    internal QueueState With(
        long version,
        QueueStateName? stateName = null,
        ImmutableArray<AttachedSession>? sessions = null,
        ImmutableArray<Subscription>? subscriptions = null,
        MessageList? messages = null,
        bool? cleanSession = null,
        long droppedMore = 0,
        ConnectHistory? connects = null) =>
        new(droppedMore == 0 && connects is null
                ? _info
                : _info with { DroppedMessages = _info.DroppedMessages + droppedMore, Connects = connects ?? _info.Connects },
            cleanSession ?? CleanSession,
            stateName ?? StateName,
            sessions ?? Sessions,
            subscriptions ?? Subscriptions,
            messages ?? Messages,
            version,
            Node);

    /// <summary>
    /// Changes this state in place, as <see cref="With"/> would make a new one with the same arguments.
    /// Only for a state no reader can see yet (written in the batch being applied); never its presence.
    /// </summary>
    internal void Revise(
        long version,
        ImmutableArray<AttachedSession>? sessions = null,
        ImmutableArray<Subscription>? subscriptions = null,
        MessageList? messages = null,
        long droppedMore = 0)
    {
        if (droppedMore != 0)
        {
            _info = _info with { DroppedMessages = _info.DroppedMessages + droppedMore };
        }
        Sessions = sessions ?? Sessions;
        Subscriptions = subscriptions ?? Subscriptions;
        Messages = messages ?? Messages;
        Version = version;
    }

    /// <summary>
    /// The queue's fields that change rarely: set when it is created (or mirrored), when the
    /// full-queue policy drops a message, and when the client connects.
    /// </summary>
    private sealed record QueueInfo(QueueKey Key, long QueueId, long StartedAt, string? QueuePid, long UnlistedMessages, long DroppedMessages,
        ConnectHistory? Connects);
}
