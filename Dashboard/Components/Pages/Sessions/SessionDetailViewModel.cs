using Dashboard.Core.Live;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>One field of a session and its value, as the grid and the command line read it.</summary>
/// <param name="Field">The field.</param>
/// <param name="Value">Its value: string, long, bool, payload bytes or null.</param>
public sealed record FieldValue(SessionField Field, object? Value)
{
    /// <summary>Whether the value is Unix epoch milliseconds.</summary>
    public bool IsTimestamp => SessionDetailViewModel.IsTimestamp(Field);
}

/// <summary>
/// The detail page's state: one queue as of the latest refresh, its fields grouped for reading, and the
/// client's recent online/offline history. Every value comes from <see cref="FieldCatalog"/>, so the
/// page shows what the grid, the API and the command line show.
/// </summary>
public sealed class SessionDetailViewModel(SessionStore store, SessionHistory history)
{
    /// <summary>Subscriptions listed at most; a page with more would be slow and unreadable.</summary>
    public const int MaxSubscriptionsShown = 500;

    /// <summary>Queued messages listed at most (the oldest first).</summary>
    public const int MaxMessagesShown = 200;

    private static readonly string[] TimestampFields = ["queue_started_at", "session_started_at"];

    // Per connection, so shown with each attached session rather than with the queue.
    private const string SessionPidField = "session_pid";

    /// <summary>The queue shown.</summary>
    public QueueKey? Key { get; private set; }

    /// <summary>The queue as of the latest refresh; null when there is no such session.</summary>
    public QueueState? Queue { get; private set; }

    /// <summary>The client's recent events, newest first.</summary>
    public IReadOnlyList<SessionEvent> History { get; private set; } = [];

    /// <summary>The fields of the queue and its state (one value each).</summary>
    public IReadOnlyList<FieldValue> QueueFields { get; private set; } = [];

    /// <summary>The subscription fields, the columns of the subscriptions table.</summary>
    public static IReadOnlyList<SessionField> SubscriptionFields { get; } = Group(FieldGroup.Subscription);

    /// <summary>The stored-message fields, the columns of the queued messages table.</summary>
    public static IReadOnlyList<SessionField> MessageFields { get; } = Group(FieldGroup.Message);

    private static IReadOnlyList<SessionField> ConnectionGroup { get; } =
        [.. FieldCatalog.All.Where(f => f.Name == SessionPidField || f.Group == FieldGroup.Connection)];

    /// <summary>Whether a field holds Unix epoch milliseconds.</summary>
    public static bool IsTimestamp(SessionField field) => TimestampFields.Contains(field.Name);

    /// <summary>Shows <paramref name="key"/>.</summary>
    public void Load(QueueKey key)
    {
        Key = key;
        Queue = null;
        History = [];
        Refresh();
    }

    /// <summary>Reads the queue and history again; returns whether anything shown changed.</summary>
    public bool Refresh()
    {
        if (Key is not { } key)
        {
            return false;
        }
        var queue = store.Get(key);
        var events = history.For(key);
        // Queue states are immutable and replaced on every change: the same object means nothing changed.
        if (ReferenceEquals(queue, Queue) && events.Count == History.Count && (events.Count == 0 || events[^1] == History[0]))
        {
            return false;
        }
        Queue = queue;
        History = [.. events.Reverse()];
        QueueFields = queue is null ? [] : [.. FieldCatalog.All
            .Where(f => f.Group is FieldGroup.Queue or FieldGroup.QueueState && f.Name != SessionPidField)
            .Select(f => new FieldValue(f, FieldCatalog.Read(f, Row(queue))))];
        return true;
    }

    /// <summary>The connection fields of one attached session, or of none (all undefined) when offline.</summary>
    public IReadOnlyList<FieldValue> ConnectionFields(AttachedSession? session) => Queue is { } queue
        ? [.. ConnectionGroup.Select(f => new FieldValue(f, FieldCatalog.Read(f, Row(queue) with { Session = session })))]
        : [];

    /// <summary>A subscription's fields, in <see cref="SubscriptionFields"/> order.</summary>
    public IReadOnlyList<FieldValue> Fields(Subscription subscription) => Queue is { } queue
        ? [.. SubscriptionFields.Select(f => new FieldValue(f, FieldCatalog.Read(f, Row(queue) with { Subscription = subscription })))]
        : [];

    /// <summary>A queued message's fields, in <see cref="MessageFields"/> order.</summary>
    public IReadOnlyList<FieldValue> Fields(QueuedMessage message) => Queue is { } queue
        ? [.. MessageFields.Select(f => new FieldValue(f, FieldCatalog.Read(f, Row(queue) with { Message = message })))]
        : [];

    /// <summary>The thresholds that mark a queue.</summary>
    public QueueHealthPolicy Health => store.Health;

    /// <summary>The connects within the flapping window, latest first (docs/operator-tools.md).</summary>
    public IReadOnlyList<long> RecentConnects
    {
        get
        {
            if (Queue?.Connects is not { } connects)
            {
                return [];
            }
            var from = connects.Policy.NowMs - connects.Policy.WindowMs;
            var times = new List<long>();
            for (var i = connects.Times.Length - 1; i >= 0 && connects.Times[i] > from; i--)
            {
                times.Add(connects.Times[i]);
            }
            return times;
        }
    }

    /// <summary>The user name the session connected with, to start reauthorizing with.</summary>
    public string? User => Queue is { Sessions: [var session, ..] } ? session.User : null;

    private SessionRow Row(QueueState queue) =>
        new(queue.Node ?? store.NodeName, queue, queue.Sessions.IsEmpty ? null : queue.Sessions[0], null, null);

    private static SessionField[] Group(FieldGroup group) => [.. FieldCatalog.All.Where(f => f.Group == group)];
}
