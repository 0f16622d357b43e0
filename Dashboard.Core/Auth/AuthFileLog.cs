using Microsoft.Extensions.Logging;

namespace Dashboard.Core.Auth;

/// <summary>The auth file watcher's log messages (source-generated, outside the generic type).</summary>
internal static partial class AuthFileLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Auth file {Path}, line {Line}: {Reason}")]
    public static partial void MalformedLine(ILogger logger, string path, int line, string reason);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Auth file {Path} has {Count} malformed line(s) and was not applied; version {Version} loaded at {LoadedAt} stays in force")]
    public static partial void RejectedKeepingPrevious(ILogger logger, string path, int count, long version, DateTimeOffset? loadedAt);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Auth file {Path} has {Count} malformed line(s) and was not applied; no valid version has been loaded, so it allows nothing and no users (fail closed)")]
    public static partial void RejectedFailClosed(ILogger logger, string path, int count);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Auth file {Path} does not exist; it allows nothing and no users (fail closed) until a valid version is written")]
    public static partial void MissingFailClosed(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Auth file {Path} disappeared; version {Version} stays in force until a valid version is written")]
    public static partial void MissingKeepingPrevious(ILogger logger, string path, long version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not read auth file {Path}; the current version stays in force")]
    public static partial void ReadFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded auth file {Path} (version {Version})")]
    public static partial void Loaded(ILogger logger, string path, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot watch auth file {Path} for changes; polling every {Interval} instead")]
    public static partial void WatcherUnavailable(ILogger logger, string path, TimeSpan interval, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The file watcher for auth file {Path} reported an error; polling continues")]
    public static partial void WatcherFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading auth file {Path} failed unexpectedly; the current version stays in force")]
    public static partial void ReloadFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A listener of auth file {Path} failed; the new version is in force anyway")]
    public static partial void ListenerFailed(ILogger logger, string path, Exception exception);
}
