using System.Collections.Frozen;
using System.Globalization;

namespace Dashboard.Core.Sessions;

/// <summary>The fields of the session table (VerneMQ's 31 and the dashboard's own extensions, docs/operator-tools.md) and how to read each from a row.</summary>
public static class FieldCatalog
{
    private static readonly object True = true;
    private static readonly object False = false;

    private static readonly (SessionField Field, Func<SessionRow, object?> Get)[] Definitions =
    [
        (Field("node", FieldType.Text, FieldGroup.Queue, "Name of the node holding the queue"), r => r.Node),
        (Field("mountpoint", FieldType.Text, FieldGroup.Queue, "Mountpoint of the queue (empty for the default)"), r => r.Queue.Key.Mountpoint),
        (Field("client_id", FieldType.Text, FieldGroup.Queue, "MQTT client id"), r => r.Queue.Key.ClientId),
        (Field("queue_pid", FieldType.Text, FieldGroup.Queue, "Opaque id of the queue"), r => r.Queue.QueuePid ?? FormatPid(r.Queue.QueueId)),
        (Field("session_pid", FieldType.Text, FieldGroup.QueueState, "Opaque id of the attached connection"), r => r.Session is { } s ? s.Pid ?? FormatPid(s.SessionId) : null),
        (Field("is_offline", FieldType.Boolean, FieldGroup.QueueState, "Whether the queue has no session attached"), r => Box(r.Queue.StateName == QueueStateName.Offline)),
        (Field("is_online", FieldType.Boolean, FieldGroup.QueueState, "Whether a session is attached"), r => Box(r.Queue.StateName == QueueStateName.Online)),
        (Field("statename", FieldType.Text, FieldGroup.QueueState, "Queue state: online, offline, drain or wait_for_offline"), r => StateText(r.Queue.StateName)),
        (Field("deliver_mode", FieldType.Text, FieldGroup.QueueState, "How messages go to several sessions: fanout or balance"), _ => "fanout"),
        (Field("offline_messages", FieldType.Integer, FieldGroup.QueueState, "Messages queued while offline"), r => r.Queue.IsOnline ? 0L : r.Queue.MessageCount),
        (Field("online_messages", FieldType.Integer, FieldGroup.QueueState, "Messages waiting for delivery while online"), r => r.Queue.IsOnline ? r.Queue.MessageCount : 0L),
        (Field("num_sessions", FieldType.Integer, FieldGroup.QueueState, "Number of attached sessions"), r => (long)r.Queue.Sessions.Length),
        (Field("clean_session", FieldType.Boolean, FieldGroup.QueueState, "Whether the session ends with the connection"), r => Box(r.Queue.CleanSession)),
        (Field("is_plugin", FieldType.Boolean, FieldGroup.QueueState, "Whether the queue belongs to a broker plugin"), _ => False),
        (Field("queue_started_at", FieldType.Integer, FieldGroup.QueueState, "When the queue was created (epoch ms)"), r => r.Queue.StartedAt),
        (Field("queue_size", FieldType.Integer, FieldGroup.QueueState, "Total messages in the queue"), r => r.Queue.MessageCount),
        // Not in VerneMQ: how often the full-queue policy (drop the oldest) struck this queue.
        (Field("dropped_messages", FieldType.Integer, FieldGroup.QueueState, "Messages dropped because the queue was full (oldest first); not in VerneMQ"), r => r.Queue.DroppedMessages),
        // Not in VerneMQ: the operator tools of docs/operator-tools.md.
        (Field("reconnects", FieldType.Integer, FieldGroup.QueueState, "Connects within the flapping window; not in VerneMQ"), r => (long)r.Queue.Reconnects),
        (Field("flapping", FieldType.Boolean, FieldGroup.QueueState, "Whether the client connected more often than the flapping threshold within its window; not in VerneMQ"), r => Box(r.Queue.IsFlapping)),
        (Field("queue_over_threshold", FieldType.Boolean, FieldGroup.QueueState, "Whether queued or in-flight messages are at or over their thresholds; not in VerneMQ"), r => Box((r.Queue.Marks & (QueueMarks.Queued | QueueMarks.InFlight)) != 0)),
        (Field("dropping", FieldType.Boolean, FieldGroup.QueueState, "Whether dropped messages are at or over their threshold; not in VerneMQ"), r => Box((r.Queue.Marks & QueueMarks.Dropping) != 0)),
        (Field("user", FieldType.Text, FieldGroup.Connection, "User name the client connected with; undefined when anonymous"), r => r.Session?.User),
        (Field("peer_host", FieldType.Text, FieldGroup.Connection, "Client's address"), r => r.Session?.PeerHost),
        (Field("peer_port", FieldType.Integer, FieldGroup.Connection, "Client's port"), r => r.Session is { } s ? (long)s.PeerPort : null),
        (Field("protocol", FieldType.Integer, FieldGroup.Connection, "MQTT protocol level: 3 (3.1), 4 (3.1.1) or 5"), r => r.Session is { } s ? (long)s.Protocol : null),
        (Field("waiting_acks", FieldType.Integer, FieldGroup.Connection, "Messages sent and not yet acknowledged"), r => r.Session is { } s ? (long)s.WaitingAcks : null),
        (Field("session_started_at", FieldType.Integer, FieldGroup.Connection, "When the client last connected (epoch ms)"), r => r.Session?.StartedAt),
        (Field("topic", FieldType.Text, FieldGroup.Subscription, "Subscribed topic filter"), r => r.Subscription?.Topic),
        (Field("qos", FieldType.Integer, FieldGroup.Subscription, "Granted QoS of the subscription"), r => r.Subscription is { } s ? (long)s.Qos : null),
        (Field("rap", FieldType.Boolean, FieldGroup.Subscription, "MQTT 5 retain-as-published option"), r => r.Subscription?.RetainAsPublished is { } b ? Box(b) : null),
        (Field("no_local", FieldType.Boolean, FieldGroup.Subscription, "MQTT 5 no-local option"), r => r.Subscription?.NoLocal is { } b ? Box(b) : null),
        (Field("msg_ref", FieldType.Text, FieldGroup.Message, "Reference of a queued message"), r => r.Message?.MsgRef),
        (Field("msg_qos", FieldType.Integer, FieldGroup.Message, "QoS of a queued message"), r => r.Message is { } m ? (long)m.Qos : null),
        (Field("routing_key", FieldType.Text, FieldGroup.Message, "Topic a queued message was published to"), r => r.Message?.RoutingKey),
        (Field("dup", FieldType.Boolean, FieldGroup.Message, "Whether a queued message is a redelivery"), r => r.Message is { } m ? Box(m.Dup) : null),
        (Field("payload", FieldType.Binary, FieldGroup.Message, "Payload of a queued message"), r => r.Message?.Payload),
    ];

    private static readonly FrozenDictionary<string, int> IndexByName =
        Definitions.Select((d, i) => (d.Field.Name, i)).ToFrozenDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);

    /// <summary>Every field, in the order of docs/query-language.md#the-session-table (VerneMQ's, the dashboard's own queue fields after <c>queue_size</c>).</summary>
    public static IReadOnlyList<SessionField> All { get; } = [.. Definitions.Select(d => d.Field)];

    /// <summary>The columns shown when a query names none.</summary>
    public static IReadOnlyList<string> DefaultColumns { get; } =
        ["client_id", "is_online", "mountpoint", "peer_host", "peer_port", "user"];

    /// <summary>Finds a field by its exact name.</summary>
    public static bool TryGet(string name, out SessionField field)
    {
        if (IndexByName.TryGetValue(name, out var index))
        {
            field = Definitions[index].Field;
            return true;
        }
        field = null!;
        return false;
    }

    /// <summary>Reads a field's value from a row: string, long, bool, <see cref="ReadOnlyMemory{T}"/> of bytes, or null.</summary>
    public static object? Read(SessionField field, in SessionRow row) => Definitions[IndexByName[field.Name]].Get(row);

    internal static Func<SessionRow, object?> Getter(SessionField field) => Definitions[IndexByName[field.Name]].Get;

    /// <summary>Formats an opaque id in the <c>&lt;a.b.c&gt;</c> shape of VerneMQ's pids.</summary>
    public static string FormatPid(long id) => string.Create(CultureInfo.InvariantCulture, $"<0.{id}.0>");

    /// <summary>The <c>statename</c> text of a state.</summary>
    public static string StateText(QueueStateName state) => state switch
    {
        QueueStateName.Online => "online",
        QueueStateName.Offline => "offline",
        QueueStateName.Drain => "drain",
        _ => "wait_for_offline",
    };

    private static object Box(bool value) => value ? True : False;

    private static SessionField Field(string name, FieldType type, FieldGroup group, string description) =>
        new(name, type, group, description);
}
