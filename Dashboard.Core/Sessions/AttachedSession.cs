namespace Dashboard.Core.Sessions;

/// <summary>A client connection attached to a queue (the connection fields of docs/query-language.md#the-session-table).</summary>
/// <param name="SessionId">Opaque per-connection id, shown as <c>session_pid</c>.</param>
/// <param name="User">The user name; null for anonymous clients.</param>
/// <param name="PeerHost">The client's address.</param>
/// <param name="PeerPort">The client's port.</param>
/// <param name="Protocol">3 (MQTT 3.1), 4 (3.1.1) or 5.</param>
/// <param name="StartedAt">When this connection started, Unix epoch milliseconds.</param>
/// <param name="WaitingAcks">Outgoing messages not yet acknowledged.</param>
/// <param name="Pid">The session's pid as a mirrored broker wrote it; null when the store made the session.</param>
public sealed record AttachedSession(
    long SessionId,
    string? User,
    string PeerHost,
    int PeerPort,
    int Protocol,
    long StartedAt,
    int WaitingAcks = 0,
    string? Pid = null);
