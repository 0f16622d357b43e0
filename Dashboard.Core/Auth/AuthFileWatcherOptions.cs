namespace Dashboard.Core.Auth;

/// <summary>Timing of an <see cref="AuthFileWatcher{T}"/>.</summary>
public sealed record AuthFileWatcherOptions
{
    /// <summary>
    /// How often the file's last-write time and length are compared with the loaded version's. A fallback:
    /// file system watchers miss some editors' write-to-temp-and-rename and some network file systems.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Quiet time after the last change before reloading, so an editor's burst of writes gives one reload.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Whether to use a <see cref="FileSystemWatcher"/> besides polling.</summary>
    public bool UseFileSystemWatcher { get; init; } = true;
}
