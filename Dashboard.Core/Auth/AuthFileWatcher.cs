using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dashboard.Core.Auth;

/// <summary>
/// Holds the parsed contents of an auth file and reloads it when the file changes on disk, seen by a
/// <see cref="FileSystemWatcher"/> and, as a fallback, by polling its last-write time and length.
/// A version with any malformed line is never applied: its errors are logged and the previous version
/// stays in force. Until a valid version has been loaded (the file is missing or malformed at start),
/// <see cref="Current"/> is the fail-closed value, which allows nothing. A file that disappears or cannot
/// be read also leaves the version in force; <see cref="Problem"/> says what is wrong until the file is
/// readable and valid again (a change of its permissions is noticed like a change of its contents).
/// </summary>
/// <typeparam name="T">The parsed file, such as <see cref="AclFile"/> or <see cref="PasswordFile"/>.</typeparam>
public sealed class AuthFileWatcher<T> : IDisposable
    where T : class
{
    private readonly Func<string, AuthParseResult<T>> _parse;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly AuthFileWatcherOptions _options;
    // Serialises reloads: the debounce timer, Reload() callers and Dispose never interleave.
    private readonly Lock _reloadLock = new();
    private readonly ITimer _debounceTimer;
    private readonly ITimer _pollTimer;
    private readonly FileSystemWatcher? _watcher;

    // One immutable snapshot behind a volatile reference: readers on the publish/subscribe path take no
    // lock and always see a value together with its own version.
    private volatile State _state;
    private volatile FileStamp _stamp = FileStamp.Missing;
    private volatile IReadOnlyList<AuthFileError> _errors = [];
    private volatile bool _disposed;
    // Guarded by _reloadLock: the text last read (applied or rejected), so an unchanged file is neither
    // reapplied nor re-reported, and whether the missing file was already reported.
    private string? _lastText;
    private bool _lastTextApplied;
    private string? _lastRejection;
    private bool _reportedMissing;
    private volatile AuthFileProblem? _problem;

    /// <summary>Loads the file now (synchronously) and starts watching it.</summary>
    /// <param name="path">The file to load and watch.</param>
    /// <param name="parse">Parses the file's text, reporting every malformed line.</param>
    /// <param name="failClosed">The value in force until a valid version is loaded; it must allow nothing.</param>
    /// <param name="logger">Receives each malformed line with the file path and line number.</param>
    /// <param name="time">Drives the poll and debounce timers; the system clock by default.</param>
    /// <param name="options">Poll interval, debounce and whether to use a file system watcher.</param>
    public AuthFileWatcher(
        string path,
        Func<string, AuthParseResult<T>> parse,
        T failClosed,
        ILogger? logger = null,
        TimeProvider? time = null,
        AuthFileWatcherOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(failClosed);
        _options = options ?? new AuthFileWatcherOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.PollInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Debounce, TimeSpan.Zero, nameof(options));
        FilePath = Path.GetFullPath(path);
        _parse = parse;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _state = new State(failClosed, 0, null);

        Reload();

        _debounceTimer = _time.CreateTimer(_ => ReloadSafely(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // Started after the first load: a change in between shows up as a different stamp at the first poll.
        _pollTimer = _time.CreateTimer(_ => Poll(), null, _options.PollInterval, _options.PollInterval);
        if (_options.UseFileSystemWatcher)
        {
            _watcher = StartWatcher();
        }
    }

    /// <summary>The watched file's full path.</summary>
    public string FilePath { get; }

    /// <summary>The version in force: the last valid one loaded, or the fail-closed value. Lock-free.</summary>
    public T Current => _state.Value;

    /// <summary>0 while no valid version has been loaded (fail closed); 1 after the first; one more per applied change.</summary>
    public long Version => _state.Version;

    /// <summary>Whether a valid version has been loaded; false means fail closed.</summary>
    public bool IsLoaded => _state.Version > 0;

    /// <summary>When the version in force was loaded; null while fail closed.</summary>
    public DateTimeOffset? LoadedAt => _state.LoadedAt;

    /// <summary>The malformed lines of the last version read from disk; empty when that version is in force.</summary>
    public IReadOnlyList<AuthFileError> Errors => _errors;

    /// <summary>
    /// What is wrong with the file on disk, or null when the version in force is what it holds: missing,
    /// unreadable or malformed, since when, and whether the rules of an earlier version are still in force.
    /// </summary>
    public AuthFileProblem? Problem => _problem;

    /// <summary>Raised when <see cref="Problem"/> changes, on the thread that noticed it; keep it short.</summary>
    public event EventHandler? ProblemChanged;

    /// <summary>
    /// Raised after a new valid version was applied, on a timer thread (or the caller of <see cref="Reload"/>).
    /// Read <see cref="Current"/> in the handler; keep it short, reloads wait for it.
    /// </summary>
    public event EventHandler? Changed;

    /// <summary>
    /// Reads the file now and applies it if it is valid and differs from the last version read.
    /// Returns whether a new version was applied. Errors are logged, never thrown.
    /// </summary>
    public bool Reload()
    {
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return false;
            }
            // Taken before reading: a write during the read leaves a newer stamp for the next poll to notice.
            _stamp = FileStamp.Read(FilePath);
            if (!_stamp.Exists)
            {
                ReportMissing();
                return false;
            }
            string text;
            try
            {
                text = ReadText(FilePath);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                ReportMissing();
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The system's words, without the path the banner names anyway.
                if (SetProblem(AuthFileProblemKind.Unreadable, e is UnauthorizedAccessException ? "permission denied" : e.Message))
                {
                    AuthFileLog.ReadFailed(_logger, FilePath, e);
                }
                return false;
            }
            _reportedMissing = false;
            if (text == _lastText)
            {
                // Readable again as it was: the problem was the file's absence or permissions, not its text.
                if (_lastTextApplied)
                {
                    ClearProblem();
                }
                else
                {
                    SetProblem(AuthFileProblemKind.Malformed, _lastRejection);
                }
                return false;
            }
            _lastText = text;
            _lastTextApplied = false;
            return Apply(_parse(text));
        }
    }

    private bool Apply(AuthParseResult<T> result)
    {
        var state = _state;
        if (!result.IsSuccess)
        {
            // Published before logging, so whoever reacts to the log finds the errors already exposed.
            _errors = result.Errors;
            var first = result.Errors.Count > 0 ? result.Errors[0] : null;
            _lastRejection = first is null ? null
                : $"line {first.Line}: {first.Message}" + (result.Errors.Count > 1 ? $" (and {result.Errors.Count - 1} more)" : "");
            SetProblem(AuthFileProblemKind.Malformed, _lastRejection);
            foreach (var error in result.Errors)
            {
                AuthFileLog.MalformedLine(_logger, FilePath, error.Line, error.Message);
            }
            if (state.Version == 0)
            {
                AuthFileLog.RejectedFailClosed(_logger, FilePath, result.Errors.Count);
            }
            else
            {
                AuthFileLog.RejectedKeepingPrevious(_logger, FilePath, result.Errors.Count, state.Version, state.LoadedAt);
            }
            return false;
        }
        _state = new State(result.Value!, state.Version + 1, _time.GetUtcNow());
        _errors = [];
        _lastTextApplied = true;
        ClearProblem();
        AuthFileLog.Loaded(_logger, FilePath, state.Version + 1);
        RaiseChanged();
        return true;
    }

    private void ReportMissing()
    {
        SetProblem(AuthFileProblemKind.Missing, null);
        if (_reportedMissing)
        {
            return;
        }
        _reportedMissing = true;
        if (_state.Version == 0)
        {
            AuthFileLog.MissingFailClosed(_logger, FilePath);
        }
        else
        {
            // An editor's delete-then-write passes through here; dropping to "nothing allowed" would
            // disconnect the world for a moment, so the last valid rules stay.
            AuthFileLog.MissingKeepingPrevious(_logger, FilePath, _state.Version);
        }
    }

    // Under _reloadLock. Returns whether the problem is new (a different kind or detail), so it is logged once.
    private bool SetProblem(AuthFileProblemKind kind, string? detail)
    {
        var current = _problem;
        if (current is not null && current.Kind == kind && current.Detail == detail)
        {
            return false;
        }
        var state = _state;
        _problem = new AuthFileProblem(kind, detail, current?.Since ?? _time.GetUtcNow(), state.Version, state.LoadedAt);
        RaiseProblemChanged();
        return true;
    }

    private void ClearProblem()
    {
        if (_problem is null)
        {
            return;
        }
        _problem = null;
        RaiseProblemChanged();
    }

    private void RaiseProblemChanged()
    {
        try
        {
            ProblemChanged?.Invoke(this, EventArgs.Empty);
        }
        catch (Exception e)
        {
            AuthFileLog.ListenerFailed(_logger, FilePath, e);
        }
    }

    private static string ReadText(string path)
    {
        // Shared access: an editor or SetUser may hold the file open or be replacing it.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private void RaiseChanged()
    {
        if (Changed is not { } handlers)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler>())
        {
            try
            {
                handler(this, EventArgs.Empty);
            }
            catch (Exception e)
            {
                AuthFileLog.ListenerFailed(_logger, FilePath, e);
            }
        }
    }

    /// <summary>Starts (or restarts) the debounce delay; the reload runs once the file has been quiet for it.</summary>
    internal void ScheduleReload()
    {
        if (_disposed)
        {
            return;
        }
        try
        {
            _debounceTimer.Change(_options.Debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed in between; nothing to reload.
        }
    }

    private void ReloadSafely()
    {
        try
        {
            Reload();
        }
        catch (Exception e)
        {
            // A timer callback that throws would end the process; a parser bug must not.
            AuthFileLog.ReloadFailed(_logger, FilePath, e);
        }
    }

    private void Poll()
    {
        try
        {
            if (!_disposed && FileStamp.Read(FilePath) != _stamp)
            {
                ScheduleReload();
            }
        }
        catch (Exception e)
        {
            // As in ReloadSafely: an exception escaping a timer callback would end the process.
            AuthFileLog.ReloadFailed(_logger, FilePath, e);
        }
    }

    private FileSystemWatcher? StartWatcher()
    {
        FileSystemWatcher? watcher = null;
        try
        {
            // The directory, filtered to the file's name: editors that write a temporary file and rename
            // it over the original replace the file, which a watcher on the file itself would lose.
            watcher = new FileSystemWatcher(Path.GetDirectoryName(FilePath)!, Path.GetFileName(FilePath))
            {
                // Attributes: a chmod that makes the file unreadable (or readable again) is a change too.
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime | NotifyFilters.Attributes,
            };
            watcher.Changed += OnFileEvent;
            watcher.Created += OnFileEvent;
            watcher.Deleted += OnFileEvent;
            watcher.Renamed += OnFileEvent;
            watcher.Error += OnWatcherError;
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is ArgumentException or IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // A missing directory or exhausted inotify instances: polling still sees every change.
            watcher?.Dispose();
            AuthFileLog.WatcherUnavailable(_logger, FilePath, _options.PollInterval, e);
            return null;
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => ScheduleReload();

    private void OnWatcherError(object sender, ErrorEventArgs e)
    {
        // Events may have been lost (buffer overflow); a reload catches up.
        AuthFileLog.WatcherFailed(_logger, FilePath, e.GetException());
        ScheduleReload();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        _watcher?.Dispose();
        _pollTimer.Dispose();
        _debounceTimer.Dispose();
    }

    private sealed record State(T Value, long Version, DateTimeOffset? LoadedAt);

    private sealed record FileStamp(bool Exists, DateTime LastWriteUtc, long Length, int Mode)
    {
        public static FileStamp Missing { get; } = new(false, default, 0, 0);

        public static FileStamp Read(string path)
        {
            var info = new FileInfo(path);
            return info.Exists
                ? new FileStamp(true, info.LastWriteTimeUtc, info.Length, OperatingSystem.IsWindows() ? 0 : (int)info.UnixFileMode)
                : Missing;
        }
    }
}
