namespace Dashboard.Core.Actions;

/// <summary>The actions on a session (docs/broker.md#disconnect-and-reauthorize), whatever the broker behind them.</summary>
public interface ISessionControl
{
    /// <summary>Closes the client's connection; with cleanup also deletes its subscriptions, queued messages and queue.</summary>
    Task<DisconnectResult> DisconnectAsync(DisconnectRequest request, CancellationToken cancellationToken = default);

    /// <summary>Re-checks the client's subscriptions against the current ACL rules as the given user, removing refused ones.</summary>
    Task<ReauthorizeResult> ReauthorizeAsync(ReauthorizeRequest request, CancellationToken cancellationToken = default);
}
