using Dashboard.Core.Sessions;

namespace Dashboard.Core.Auth;

/// <summary>Re-checks a client's existing subscriptions against the ACL rules in force now (<c>session reauthorize</c>).</summary>
public static class AclReauthorizer
{
    /// <summary>
    /// Splits <paramref name="subscriptions"/> into those the ACL still allows to be subscribed (read) by this
    /// client and those it no longer allows. Pure: nothing is unsubscribed here.
    /// </summary>
    /// <param name="acl">The rules in force.</param>
    /// <param name="user">The user name to check as; null for anonymous.</param>
    /// <param name="clientId">The client id, for <c>%c</c> patterns.</param>
    /// <param name="mountpoint">The client's mountpoint, for <c>%m</c> patterns.</param>
    /// <param name="subscriptions">The client's current subscriptions.</param>
    public static ReauthorizeOutcome Reauthorize(
        AclFile acl, string? user, string clientId, string mountpoint, IEnumerable<Subscription> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(acl);
        ArgumentNullException.ThrowIfNull(subscriptions);
        var kept = new List<Subscription>();
        var removed = new List<string>();
        foreach (var subscription in subscriptions)
        {
            if (acl.IsAllowed(AclAccess.Read, user, clientId, mountpoint, subscription.Topic))
            {
                kept.Add(subscription);
            }
            else
            {
                removed.Add(subscription.Topic);
            }
        }
        return new ReauthorizeOutcome(kept, removed, []);
    }
}
