namespace Dashboard.Core.Auth;

/// <summary>What <see cref="PasswordFile.SetUser"/> did to the file.</summary>
public enum PasswordFileUpdate
{
    /// <summary>The user was not in the file and was appended.</summary>
    Added,

    /// <summary>The user's line was replaced in place.</summary>
    Replaced,
}
