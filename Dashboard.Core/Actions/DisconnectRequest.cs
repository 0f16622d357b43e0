namespace Dashboard.Core.Actions;

/// <summary><c>session disconnect client-id=X [--mountpoint=M] [--cleanup]</c>.</summary>
public sealed record DisconnectRequest
{
    /// <summary>The client id.</summary>
    public required string ClientId { get; init; }

    /// <summary>The mountpoint; <c>""</c> is the default one.</summary>
    public string Mountpoint { get; init; } = "";

    /// <summary>Also delete the subscriptions, queued messages and the queue.</summary>
    public bool Cleanup { get; init; }
}

/// <summary>What a disconnect did.</summary>
/// <param name="ClientId">The client id asked for.</param>
/// <param name="Found">Whether a connection or session of that client existed.</param>
/// <param name="WasOnline">Whether a connection was closed.</param>
/// <param name="CleanedUp">Whether the session was deleted.</param>
public sealed record DisconnectResult(string ClientId, bool Found, bool WasOnline, bool CleanedUp)
{
    /// <summary>What VerneMQ answers, found or not.</summary>
    public const string VerneMqText = "Done";

    /// <summary>A plain sentence for people: <c>Disconnected client1</c> or <c>No session client1</c>.</summary>
    public string Message => Found
        ? (CleanedUp ? $"Disconnected {ClientId} and cleaned up its session" : $"Disconnected {ClientId}")
        : $"No session {ClientId}";
}
