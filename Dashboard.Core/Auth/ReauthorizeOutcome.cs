using Dashboard.Core.Sessions;

namespace Dashboard.Core.Auth;

/// <summary>What re-running subscription authorization decided for one client's subscriptions (docs/broker.md#disconnect-and-reauthorize).</summary>
/// <param name="Kept">Subscriptions still allowed, unchanged, in their original order.</param>
/// <param name="Removed">Topic filters no longer allowed: to be unsubscribed without telling the client.</param>
/// <param name="Added">Subscriptions a rule rewrote (new topic or QoS), to be added or merged. Always empty for
/// vmq.acl, which cannot rewrite; kept so that an authorizer that can rewrite fits the same shape.</param>
public sealed record ReauthorizeOutcome(
    IReadOnlyList<Subscription> Kept,
    IReadOnlyList<string> Removed,
    IReadOnlyList<Subscription> Added)
{
    /// <summary>Whether anything was removed or added: the answer is then <c>Done</c>, otherwise <c>Unchanged</c>.</summary>
    public bool Changed => Removed.Count > 0 || Added.Count > 0;
}
