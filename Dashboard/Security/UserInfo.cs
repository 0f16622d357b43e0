using System.Globalization;

namespace Dashboard.Security;

/// <summary>What a role may do; each includes the ones before it.</summary>
public enum UserRole
{
    /// <summary>Browse, export, the wall screen.</summary>
    Viewer,

    /// <summary>Also disconnect and reauthorize.</summary>
    Operator,

    /// <summary>Also users, API keys and wall tokens.</summary>
    Admin,
}

/// <summary>
/// A dashboard user, without the password hash. <c>SecurityStamp</c> changes whenever the password or
/// role does: a sign-in cookie that carries an older stamp should be refused, so a reset or demotion takes
/// effect on sessions already open. <c>LockedUntil</c> is set while some client address must wait before
/// trying this name again after too many failures (<see cref="SignInThrottle"/>); other addresses are not held.
/// </summary>
public sealed record UserInfo(long Id, string Name, UserRole Role, string SecurityStamp, DateTimeOffset Created, DateTimeOffset? LockedUntil);

/// <summary>The outcome of checking a password.</summary>
public enum PasswordCheckStatus
{
    Success,
    Failed,
    LockedOut,

    /// <summary>The database could not record the attempt (read-only, locked): nobody is signed in meanwhile.</summary>
    Unavailable,
}

/// <summary>
/// The outcome of <see cref="UserStore.VerifyPassword(string, string, string?)"/>: <c>User</c> on success only (a
/// failure says nothing about whether the name exists), <c>LockedUntil</c> when sign-in opens again.
/// </summary>
public sealed record PasswordCheck(PasswordCheckStatus Status, UserInfo? User, DateTimeOffset? LockedUntil, string? Problem = null)
{
    /// <summary>A sentence for the sign-in form: the same for an unknown user and a wrong password.</summary>
    public string Message => Status switch
    {
        PasswordCheckStatus.Success => "Signed in",
        PasswordCheckStatus.LockedOut => string.Create(CultureInfo.InvariantCulture, $"Too many failed sign-ins from your address: try again after {LockedUntil?.UtcDateTime:HH:mm:ss} UTC"),
        PasswordCheckStatus.Unavailable => $"Sign-in is not possible right now: {Problem}",
        _ => "Wrong user name or password",
    };
}
