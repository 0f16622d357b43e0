namespace Dashboard.Core.Auth;

/// <summary>What a client asks to do with a topic, or what an ACL rule grants.</summary>
[Flags]
public enum AclAccess
{
    /// <summary>Nothing; never granted by a rule and not a valid request.</summary>
    None = 0,

    /// <summary>Subscribe (<c>read</c> in vmq.acl).</summary>
    Read = 1,

    /// <summary>Publish (<c>write</c> in vmq.acl).</summary>
    Write = 2,

    /// <summary>Both: a <c>topic T</c> or <c>pattern T</c> line without read/write.</summary>
    ReadWrite = Read | Write,
}
