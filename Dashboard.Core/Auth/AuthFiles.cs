using Microsoft.Extensions.Logging;

namespace Dashboard.Core.Auth;

/// <summary>Watchers for VerneMQ's two auth files.</summary>
public static class AuthFiles
{
    /// <summary>Loads the ACL file at <paramref name="path"/> now and reloads it whenever it changes.</summary>
    public static AuthFileWatcher<AclFile> WatchAcl(
        string path, ILogger? logger = null, TimeProvider? time = null, AuthFileWatcherOptions? options = null) =>
        new(path, AclFile.Parse, AclFile.Empty, logger, time, options);

    /// <summary>Loads the password file at <paramref name="path"/> now and reloads it whenever it changes.</summary>
    public static AuthFileWatcher<PasswordFile> WatchPasswords(
        string path, ILogger? logger = null, TimeProvider? time = null, AuthFileWatcherOptions? options = null) =>
        new(path, PasswordFile.Parse, PasswordFile.Empty, logger, time, options);
}
