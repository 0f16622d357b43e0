namespace Dashboard.Security;

/// <summary>The action names written to the audit log; the /audit filter offers these.</summary>
public static class AuditActions
{
    public const string SessionDisconnect = "session.disconnect";
    public const string SessionReauthorize = "session.reauthorize";
    public const string SessionTrace = "session.trace";
    public const string SignIn = "sign-in";
    public const string UserAdd = "user.add";
    public const string UserRole = "user.role";
    public const string UserResetPassword = "user.reset-password";
    public const string UserChangePassword = "user.change-password";
    public const string UserDelete = "user.delete";
    public const string ApiKeyCreate = "apikey.create";
    public const string ApiKeyRevoke = "apikey.revoke";
    public const string WallTokenCreate = "walltoken.create";
    public const string WallTokenRevoke = "walltoken.revoke";
    public const string WallSignIn = "wall.sign-in";
    public const string BlockAdd = "block.add";
    public const string BlockRemove = "block.remove";

    public static IReadOnlyList<string> All { get; } =
    [
        SessionDisconnect, SessionReauthorize, SessionTrace, SignIn, UserAdd, UserRole, UserResetPassword, UserChangePassword,
        UserDelete, ApiKeyCreate, ApiKeyRevoke, WallTokenCreate, WallTokenRevoke, WallSignIn, BlockAdd, BlockRemove,
    ];
}
