namespace Dashboard.Core.Auth;

/// <summary>One rule of an ACL file: it allows <see cref="Access"/> to topics matching <see cref="Topic"/>.</summary>
public sealed class AclRule
{
    private readonly FilterLevel[] _levels;

    internal AclRule(AclRuleScope scope, string? user, AclAccess access, string topic, int line, FilterLevel[] levels)
    {
        Scope = scope;
        User = user;
        Access = access;
        Topic = topic;
        Line = line;
        _levels = levels;
    }

    /// <summary>Whom the rule applies to.</summary>
    public AclRuleScope Scope { get; }

    /// <summary>The section's user name for <see cref="AclRuleScope.User"/> rules; null otherwise.</summary>
    public string? User { get; }

    /// <summary>What the rule allows: read, write or both.</summary>
    public AclAccess Access { get; }

    /// <summary>The rule's topic filter as written (trimmed).</summary>
    public string Topic { get; }

    /// <summary>The 1-based line of the file the rule came from.</summary>
    public int Line { get; }

    /// <summary>Whether the rule covers <paramref name="topic"/> for this client (access is checked by the caller).</summary>
    internal bool Matches(ReadOnlySpan<char> topic, string? user, string clientId, string mountpoint) =>
        TopicFilter.Matches(_levels, topic, user, clientId, mountpoint);

    /// <summary>The rule as a vmq.acl line, e.g. <c>pattern read devices/%c/#</c>.</summary>
    public override string ToString()
    {
        var keyword = Scope == AclRuleScope.Pattern ? "pattern" : "topic";
        return Access switch
        {
            AclAccess.Read => $"{keyword} read {Topic}",
            AclAccess.Write => $"{keyword} write {Topic}",
            _ => $"{keyword} {Topic}",
        };
    }
}
