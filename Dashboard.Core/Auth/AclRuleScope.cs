namespace Dashboard.Core.Auth;

/// <summary>Whom an ACL rule applies to.</summary>
public enum AclRuleScope
{
    /// <summary>A <c>topic</c> line before the first <c>user</c> line: every client.</summary>
    Global,

    /// <summary>A <c>topic</c> line in a <c>user NAME</c> section: clients logged in as that user.</summary>
    User,

    /// <summary>A <c>pattern</c> line: every client, with <c>%u</c>, <c>%c</c>, <c>%m</c> levels substituted.</summary>
    Pattern,
}
