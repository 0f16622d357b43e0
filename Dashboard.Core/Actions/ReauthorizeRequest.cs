using Dashboard.Core.Sessions;

namespace Dashboard.Core.Actions;

/// <summary><c>session reauthorize username=U client-id=X [--mountpoint=M]</c>.</summary>
public sealed record ReauthorizeRequest
{
    /// <summary>The user name to authorise the subscriptions as.</summary>
    public required string User { get; init; }

    /// <summary>The client id.</summary>
    public required string ClientId { get; init; }

    /// <summary>The mountpoint; <c>""</c> is the default one.</summary>
    public string Mountpoint { get; init; } = "";
}

/// <summary>What a reauthorization changed.</summary>
/// <param name="ClientId">The client id asked for.</param>
/// <param name="Found">Whether the client has a session.</param>
/// <param name="Removed">Topic filters no longer allowed, now unsubscribed.</param>
/// <param name="Added">Subscriptions a rule rewrote, now added.</param>
public sealed record ReauthorizeResult(string ClientId, bool Found, IReadOnlyList<string> Removed, IReadOnlyList<Subscription> Added)
{
    /// <summary>Whether any subscription changed.</summary>
    public bool Changed => Removed.Count > 0 || Added.Count > 0;

    /// <summary>What VerneMQ answers: <c>Done</c> or <c>Unchanged</c> (also for an unknown client).</summary>
    public string VerneMqText => Changed ? "Done" : "Unchanged";

    /// <summary>A plain sentence for people.</summary>
    public string Message => !Found
        ? $"No session {ClientId}"
        : Changed
            ? string.Join("; ", new[]
                {
                    Removed.Count > 0 ? "Removed " + string.Join(", ", Removed) : null,
                    Added.Count > 0 ? "Added " + string.Join(", ", Added.Select(a => a.Topic)) : null,
                }.OfType<string>())
            : "Unchanged";
}
