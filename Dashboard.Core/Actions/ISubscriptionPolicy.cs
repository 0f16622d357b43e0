using Dashboard.Core.Sessions;

namespace Dashboard.Core.Actions;

/// <summary>The broker's subscription rules as they are now (VerneMQ's <c>auth_on_subscribe</c>).</summary>
public interface ISubscriptionPolicy
{
    /// <summary>
    /// Checks existing subscriptions as <paramref name="user"/>: the refused ones come back in
    /// <see cref="SubscriptionRecheck.Removed"/>, rewritten ones in <see cref="SubscriptionRecheck.Added"/>.
    /// </summary>
    SubscriptionRecheck Recheck(string user, string clientId, string mountpoint, IReadOnlyList<Subscription> subscriptions);
}

/// <summary>The outcome of re-checking subscriptions.</summary>
/// <param name="Removed">Topic filters no longer allowed.</param>
/// <param name="Added">Subscriptions to add because a rule rewrote them.</param>
public sealed record SubscriptionRecheck(IReadOnlyList<string> Removed, IReadOnlyList<Subscription> Added);
