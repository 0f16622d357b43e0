namespace Dashboard.Security;

/// <summary>Length is the only rule (NIST SP 800-63B): composition rules make passwords weaker in practice.</summary>
public static class PasswordRules
{
    public const int MinLength = 8;

    // PBKDF2 hashes the whole input on every check; a cap keeps a huge "password" from costing CPU.
    public const int MaxLength = 1024;

    /// <summary>Null when the password is acceptable, otherwise why not.</summary>
    public static string? Check(string? password) =>
        string.IsNullOrEmpty(password) || password.Length < MinLength ? $"The password must have at least {MinLength} characters"
        : password.Length > MaxLength ? $"The password must have at most {MaxLength} characters"
        : null;
}
