using System.Globalization;
using System.Text;
using System.Text.Json;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Core.VerneMq;

/// <summary>
/// Turns the answers of VerneMQ's <c>session show</c> API into mirrored queues (docs/vernemq.md). Three
/// questions cover a queue: its queue and connection fields, its subscriptions, its queued messages.
/// Asking for all of them at once would multiply rows (one per subscription and message pair).
/// </summary>
public static class VerneMqSessions
{
    /// <summary>The <c>session show</c> flags of the queue and connection fields.</summary>
    public static readonly string[] QueueFields =
    [
        "node", "mountpoint", "client_id", "queue_pid", "session_pid", "queue_started_at", "session_started_at",
        "clean_session", "is_online", "user", "peer_host", "peer_port", "protocol", "waiting_acks",
        "offline_messages", "online_messages",
    ];

    /// <summary>
    /// VerneMQ answers at most 100 rows per node unless told otherwise; a mirror needs them all.
    /// </summary>
    public const string NoLimit = "--limit=1000000000";

    /// <summary>The <c>session show</c> flags of the subscription fields.</summary>
    public static readonly string[] SubscriptionFields = ["node", "mountpoint", "client_id", "topic", "qos", "rap", "no_local"];

    /// <summary>The <c>session show</c> flags of the queued message fields.</summary>
    public static readonly string[] MessageFields = ["node", "mountpoint", "client_id", "msg_ref", "msg_qos", "routing_key", "dup", "payload"];

    /// <summary>The query string of a <c>session show</c> call for these fields and filters (already <c>--</c>-prefixed).</summary>
    public static string QueryString(IEnumerable<string> fields, params string[] filters) =>
        string.Join("&", fields.Select(f => "--" + f).Append(NoLimit).Concat(filters.Select(EscapeFilter)));

    /// <summary>How many queues of a queue answer hold messages (offline or online).</summary>
    public static int QueuesWithMessages(JsonElement queues) =>
        Rows(queues).Count(row => (Integer(row, "offline_messages") ?? 0) + (Integer(row, "online_messages") ?? 0) > 0);

    /// <summary>A filter such as <c>--client_id=a&amp;b</c>, escaped for a query string.</summary>
    public static string EscapeFilter(string filter)
    {
        var equals = filter.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? Uri.EscapeDataString(filter)
            : Uri.EscapeDataString(filter[..equals]) + "=" + Uri.EscapeDataString(filter[(equals + 1)..]);
    }

    /// <summary>
    /// The filters of the reads that follow webhooks, several clients per read (docs/vernemq.md#webhooks):
    /// VerneMQ walks every queue for a <c>session show</c> whatever its filter, so one walk for many clients
    /// costs about what one costs for one. Clients of one mountpoint share a read of at most
    /// <paramref name="perRead"/> ids, as an anchored alternation of the ids (<see cref="ClientFilter"/>).
    /// </summary>
    public static IEnumerable<(QueueKey[] Keys, string[] Filters)> ReadBatches(IEnumerable<QueueKey> keys, int perRead)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(perRead, 1);
        foreach (var mountpoint in keys.Distinct().GroupBy(key => key.Mountpoint, StringComparer.Ordinal))
        {
            foreach (var chunk in mountpoint.Chunk(perRead))
            {
                yield return (chunk, [ClientFilter(chunk.Select(key => key.ClientId)), "--mountpoint=" + mountpoint.Key]);
            }
        }
    }

    /// <summary>
    /// The <c>session show</c> filter that finds these client ids: an equality for one id of printable
    /// ASCII, otherwise a regular expression, because VerneMQ's API compares filters with the id's UTF-8
    /// bytes as if each were a character: an equality (or a regex) naming a non-ASCII character never
    /// matches. The expression is anchored, escapes every character other than a letter or digit (a
    /// backslash before such a character is always that character), writes control characters as
    /// <c>\xHH</c>, and stands for each run of non-ASCII characters with "one or more non-ASCII bytes".
    /// It may so find a few more clients than asked; a reader keeps only the ids it asked about.
    /// </summary>
    public static string ClientFilter(IEnumerable<string> clientIds)
    {
        ArgumentNullException.ThrowIfNull(clientIds);
        var ids = clientIds.ToArray();
        if (ids is [var only] && only.All(c => c is >= ' ' and <= '~'))
        {
            return "--client_id=" + only;
        }
        return "--client_id=~^(?:" + string.Join('|', ids.Select(EscapeRegex)) + ")$";
    }

    private static string EscapeRegex(string text)
    {
        var escaped = new StringBuilder(text.Length * 2);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiLetterOrDigit(c))
            {
                escaped.Append(c);
            }
            else if (c is >= ' ' and <= '~')
            {
                escaped.Append('\\').Append(c);
            }
            else if (c < ' ' || c == '\x7f')
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                escaped.Append(@"[^\x00-\x7f]+");
                while (i + 1 < text.Length && text[i + 1] > '\x7f')
                {
                    i++;
                }
            }
        }
        return escaped.ToString();
    }

    /// <summary>
    /// Builds the queues from the three answers (each a <c>{"table":[...]}</c> document; the messages one may
    /// be <c>default</c> when their details were not read: the queues then count them unlisted). Messages
    /// come out oldest first, the reverse of VerneMQ's listing. A queue found on
    /// two nodes at once (a client moving between them) is kept where it is online. Rows that name a queue
    /// the first answer did not have (it came between the calls) are left for the next read.
    /// </summary>
    public static Dictionary<QueueKey, MirroredQueue> Build(JsonElement queues, JsonElement subscriptions, JsonElement messages)
    {
        var result = new Dictionary<QueueKey, MirroredQueue>();
        var subscriptionsOf = new Dictionary<(string Node, QueueKey Key), List<Subscription>>();
        var messagesOf = new Dictionary<(string Node, QueueKey Key), List<QueuedMessage>>();
        foreach (var row in Rows(subscriptions))
        {
            if (Text(row, "topic") is { } topic)
            {
                var list = subscriptionsOf.TryGetValue((Node(row), Key(row)), out var found) ? found : subscriptionsOf[(Node(row), Key(row))] = [];
                if (!list.Exists(s => s.Topic == topic))
                {
                    list.Add(new Subscription(topic, (int)(Integer(row, "qos") ?? 0), Boolean(row, "rap"), Boolean(row, "no_local")));
                }
            }
        }
        foreach (var row in Rows(messages))
        {
            if (Text(row, "msg_ref") is { } msgRef)
            {
                var list = messagesOf.TryGetValue((Node(row), Key(row)), out var found) ? found : messagesOf[(Node(row), Key(row))] = [];
                if (!list.Exists(m => m.MsgRef == msgRef))
                {
                    var payload = Text(row, "payload") is { } text ? Encoding.UTF8.GetBytes(text) : [];
                    list.Add(new QueuedMessage(msgRef, (int)(Integer(row, "msg_qos") ?? 0), Text(row, "routing_key") ?? "", Boolean(row, "dup") ?? false, payload));
                }
            }
        }
        // VerneMQ lists a queue's messages newest first (it prepends each stored reference in turn while
        // building its rows); the store keeps them oldest first, the order they will be delivered in.
        foreach (var list in messagesOf.Values)
        {
            list.Reverse();
        }
        foreach (var row in Rows(queues))
        {
            var node = Node(row);
            var key = Key(row);
            var online = Boolean(row, "is_online") ?? false;
            if (result.TryGetValue(key, out var existing) && (existing.Session is not null || !online))
            {
                // Several sessions of one queue (allow_multiple_sessions) or a queue on two nodes: the first
                // online one stands for it.
                continue;
            }
            AttachedSession? session = online
                ? new AttachedSession(0, Text(row, "user"), Text(row, "peer_host") ?? "", (int)(Integer(row, "peer_port") ?? 0),
                    (int)(Integer(row, "protocol") ?? 0), Integer(row, "session_started_at") ?? 0, (int)(Integer(row, "waiting_acks") ?? 0),
                    Text(row, "session_pid"))
                : null;
            var listed = messagesOf.GetValueOrDefault((node, key)) ?? [];
            var counted = (Integer(row, "offline_messages") ?? 0) + (Integer(row, "online_messages") ?? 0);
            result[key] = new MirroredQueue(node, Text(row, "queue_pid"), Integer(row, "queue_started_at") ?? 0,
                Boolean(row, "clean_session") ?? false, session,
                subscriptionsOf.GetValueOrDefault((node, key)) ?? [], listed, Math.Max(0, counted - listed.Count));
        }
        return result;
    }

    /// <summary>The rows of a <c>{"table":[...]}</c> answer; none when it has no table.</summary>
    public static IEnumerable<JsonElement> Rows(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("table", out var table) && table.ValueKind == JsonValueKind.Array
            ? table.EnumerateArray().Where(row => row.ValueKind == JsonValueKind.Object)
            : [];

    private static string Node(JsonElement row) => Text(row, "node") ?? "";

    private static QueueKey Key(JsonElement row) => new(Text(row, "mountpoint") ?? "", Text(row, "client_id") ?? "");

    /// <summary>A text field; VerneMQ writes an undefined value as null (and an empty mountpoint as "").</summary>
    public static string? Text(JsonElement row, string name) =>
        row.ValueKind == JsonValueKind.Object && row.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        } : null;

    private static long? Integer(JsonElement row, string name) =>
        row.ValueKind != JsonValueKind.Object ? null
        : row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number
        : row.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.String
            && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number) ? number
        : null;

    private static bool? Boolean(JsonElement row, string name) =>
        row.ValueKind == JsonValueKind.Object && row.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        } : null;
}
