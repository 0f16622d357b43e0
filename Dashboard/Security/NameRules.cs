namespace Dashboard.Security;

/// <summary>What a user, API key or wall token may be called; each broken rule is a message, not an exception.</summary>
public static class NameRules
{
    public const int MaxLength = 64;

    // Audit actors are "<user>", "key:<name>", "config:..." or these words, so no user may take them.
    private static readonly string[] Reserved = [AuditActors.Anonymous, AuditActors.System];

    /// <summary>Null when <paramref name="name"/> is acceptable, otherwise why not (<paramref name="what"/> is e.g. "User name").</summary>
    public static string? Check(string? name, string what)
    {
        if (string.IsNullOrEmpty(name))
        {
            return $"{what} is empty";
        }
        if (name.Length > MaxLength)
        {
            return $"{what} is longer than {MaxLength} characters";
        }
        if (name.Any(char.IsControl))
        {
            return $"{what} contains a control character";
        }
        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
        {
            return $"{what} starts or ends with a space";
        }
        return null;
    }

    /// <summary>
    /// The rules for user names: <see cref="Check"/>, no <c>:</c> (so no user can pass for an API key in the
    /// audit log, and Basic auth can carry the name) and none of the audit log's reserved actor words.
    /// </summary>
    public static string? CheckUserName(string? name)
    {
        if (Check(name, "User name") is { } error)
        {
            return error;
        }
        if (name!.Contains(':', StringComparison.Ordinal))
        {
            return "User name contains ':'";
        }
        if (Reserved.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return $"User name \"{name}\" is reserved";
        }
        return null;
    }
}
