namespace Dashboard.Core.Auth;

/// <summary>What is wrong with a watched auth file.</summary>
public enum AuthFileProblemKind
{
    /// <summary>The file does not exist (deleted, moved, or never written).</summary>
    Missing,

    /// <summary>The file exists but cannot be read (permissions, an I/O error).</summary>
    Unreadable,

    /// <summary>The file has malformed lines, so its new version was not applied.</summary>
    Malformed,
}

/// <summary>
/// A watched auth file that is not in force as it is on disk.
/// </summary>
/// <param name="Kind">Missing, unreadable or malformed.</param>
/// <param name="Detail">The reason given by the system, or the first malformed line; null when there is nothing to add.</param>
/// <param name="Since">When the file was first seen in trouble (a change of trouble keeps the time).</param>
/// <param name="Version">The version in force: 0 when none was ever loaded, so nothing is allowed (fail closed).</param>
/// <param name="LoadedAt">When the version in force was loaded; null while fail closed.</param>
public sealed record AuthFileProblem(AuthFileProblemKind Kind, string? Detail, DateTimeOffset Since, long Version, DateTimeOffset? LoadedAt)
{
    /// <summary>Whether earlier rules are in force (otherwise nothing is allowed).</summary>
    public bool KeepsEarlierVersion => Version > 0;
}
