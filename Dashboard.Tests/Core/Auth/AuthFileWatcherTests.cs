using Dashboard.Core.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Core.Auth;

public sealed class AuthFileWatcherTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    // Poll-only, on a fake clock: these tests drive every timer themselves.
    private static readonly AuthFileWatcherOptions PollOnly = new() { UseFileSystemWatcher = false };

    private readonly TempDirectory _dir = new();
    private readonly RecordingLogger _logger = new();

    public void Dispose() => _dir.Dispose();

    private static bool Reads(AclFile acl, string topic) => acl.IsAllowed(AclAccess.Read, null, "c", "", topic);

    /// <summary>Waits for Changed events until <paramref name="condition"/> holds, failing at the deadline.</summary>
    private static async Task WaitUntilAsync<T>(AuthFileWatcher<T> watcher, Func<T, bool> condition, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnChanged(object? sender, EventArgs e) => changed.TrySetResult();
            watcher.Changed += OnChanged;
            try
            {
                // Checked after subscribing, so a change in between is not lost.
                if (condition(watcher.Current))
                {
                    return;
                }
                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    Assert.Fail($"Timed out waiting until {what}.");
                }
                try
                {
                    await changed.Task.WaitAsync(remaining, TestContext.Current.CancellationToken);
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"Timed out waiting until {what}.");
                }
            }
            finally
            {
                watcher.Changed -= OnChanged;
            }
        }
    }

    private async Task<LogEntry> WaitForLogAsync(Func<LogEntry, bool> predicate, string what)
    {
        try
        {
            return await _logger.WaitForAsync(predicate).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out waiting for a log entry: {what}.");
            throw;
        }
    }

    private static bool IsMalformedLine(LogEntry entry, string path, int line) =>
        entry.Level == LogLevel.Error
        && Equals(entry.Values.GetValueOrDefault("Path"), path)
        && Equals(entry.Values.GetValueOrDefault("Line"), line);

    [Fact]
    public void Start_ValidFile_LoadsItAsVersionOne()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic read a/#\n");
        var time = new FakeTimeProvider();

        using var watcher = AuthFiles.WatchAcl(path, _logger, time, PollOnly);

        Assert.True(watcher.IsLoaded);
        Assert.Equal(1, watcher.Version);
        Assert.Equal(time.GetUtcNow(), watcher.LoadedAt);
        Assert.True(Reads(watcher.Current, "a/b"));
        Assert.Empty(watcher.Errors);
        Assert.Empty(_logger.Errors);
    }

    [Fact]
    public void Start_MissingFile_FailsClosedAndSaysSo()
    {
        var path = _dir.File("vmq.acl");

        using var watcher = AuthFiles.WatchAcl(path, _logger, new FakeTimeProvider(), PollOnly);

        Assert.False(watcher.IsLoaded);
        Assert.Equal(0, watcher.Version);
        Assert.Same(AclFile.Empty, watcher.Current);
        Assert.False(Reads(watcher.Current, "#"));
        var error = Assert.Single(_logger.Errors);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("fail closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_MalformedFile_FailsClosedAndLogsEachLine()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\ntopics b\ntopic read\n");

        using var watcher = AuthFiles.WatchAcl(path, _logger, new FakeTimeProvider(), PollOnly);

        Assert.False(watcher.IsLoaded);
        Assert.False(Reads(watcher.Current, "a"));
        Assert.Equal([2, 3], watcher.Errors.Select(error => error.Line));
        Assert.Contains(_logger.Errors, entry => IsMalformedLine(entry, path, 2) && entry.Message.Contains("unknown keyword \"topics\"", StringComparison.Ordinal));
        Assert.Contains(_logger.Errors, entry => IsMalformedLine(entry, path, 3) && entry.Message.Contains($"{path}, line 3", StringComparison.Ordinal));
        Assert.Contains(_logger.Errors, entry => entry.Message.Contains("fail closed", StringComparison.Ordinal));
    }

    [Fact]
    public void Start_MissingPasswordFile_VerifiesNobody()
    {
        using var watcher = AuthFiles.WatchPasswords(_dir.File("vmq.passwd"), _logger, new FakeTimeProvider(), PollOnly);

        Assert.False(watcher.IsLoaded);
        Assert.False(watcher.Current.Verify("alice", "password"));
    }

    [Fact]
    public async Task FileRewrittenInPlace_NewRulesApply()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic read old/#\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger);

        File.WriteAllText(path, "topic read new/#\n");

        await WaitUntilAsync(watcher, acl => Reads(acl, "new/x"), "the new rule applies");
        Assert.False(Reads(watcher.Current, "old/x"));
        Assert.True(watcher.Version >= 2);
    }

    [Fact]
    public async Task FileReplacedByRename_NewRulesApply()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic read old/#\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger);

        _dir.ReplaceAtomically(path, "topic read renamed/#\n");

        await WaitUntilAsync(watcher, acl => Reads(acl, "renamed/x"), "the renamed-in file applies");
        Assert.Equal(2, watcher.Version);
    }

    [Fact]
    public async Task MalformedRewrite_KeepsOldRulesAndLogsThenFixApplies()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic read old/#\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger);

        _dir.ReplaceAtomically(path, "topic read new/#\ntopik read oops\n");
        // The summary comes after the per-line errors.
        await WaitForLogAsync(entry => entry.Level == LogLevel.Error
            && entry.Message.Contains("version 1", StringComparison.Ordinal)
            && entry.Message.Contains("stays in force", StringComparison.Ordinal), "the rejection reported");

        Assert.Contains(_logger.Errors, entry => IsMalformedLine(entry, path, 2));
        Assert.True(Reads(watcher.Current, "old/x"));
        Assert.False(Reads(watcher.Current, "new/x"));
        Assert.Equal(1, watcher.Version);
        Assert.Equal(2, Assert.Single(watcher.Errors).Line);

        _dir.ReplaceAtomically(path, "topic read new/#\ntopic read fixed\n");
        await WaitUntilAsync(watcher, acl => Reads(acl, "fixed"), "the fixed file applies");
        Assert.Equal(2, watcher.Version);
        Assert.Empty(watcher.Errors);
    }

    [Fact]
    public async Task FileCreatedAfterStart_LeavesFailClosed()
    {
        var path = _dir.File("vmq.acl");
        using var watcher = AuthFiles.WatchAcl(path, _logger);
        Assert.False(watcher.IsLoaded);

        _dir.ReplaceAtomically(path, "topic read hello\n");

        await WaitUntilAsync(watcher, acl => Reads(acl, "hello"), "the created file applies");
        Assert.True(watcher.IsLoaded);
    }

    [Fact]
    public async Task PasswordFile_SetUser_IsPickedUp()
    {
        var path = _dir.File("vmq.passwd");
        PasswordFile.SetUser(path, "alice", "one");
        using var watcher = AuthFiles.WatchPasswords(path, _logger);
        Assert.True(watcher.Current.Verify("alice", "one"));

        PasswordFile.SetUser(path, "alice", "two");

        await WaitUntilAsync(watcher, passwords => passwords.Verify("alice", "two"), "the new password applies");
        Assert.False(watcher.Current.Verify("alice", "one"));
    }

    [Fact]
    public void Poll_ChangedFileWithoutWatcher_ReloadsAfterDebounce()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\n");
        var time = new FakeTimeProvider();
        using var watcher = AuthFiles.WatchAcl(path, _logger, time, PollOnly);
        var changes = 0;
        watcher.Changed += (_, _) => changes++;

        File.WriteAllText(path, "topic a\ntopic b\n");
        time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.Equal(1, watcher.Version);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, watcher.Version);
        time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Equal(2, watcher.Version);
        Assert.Equal(1, changes);
        Assert.True(Reads(watcher.Current, "b"));
        Assert.Equal(time.GetUtcNow(), watcher.LoadedAt);
    }

    [Fact]
    public void Start_DirectoryMissing_WarnsAndPollsUntilTheFileAppears()
    {
        var directory = Path.Combine(_dir.Path, "later");
        var path = Path.Combine(directory, "vmq.acl");
        var time = new FakeTimeProvider();
        using var watcher = AuthFiles.WatchAcl(path, _logger, time);
        Assert.Contains(_logger.Entries, entry => entry.Level == LogLevel.Warning
            && entry.Message.Contains("polling every", StringComparison.Ordinal));

        Directory.CreateDirectory(directory);
        File.WriteAllText(path, "topic a\n");
        time.Advance(TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.True(watcher.IsLoaded);
        Assert.True(Reads(watcher.Current, "a"));
    }

    [Fact]
    public void Poll_UnchangedFile_DoesNotReload()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\n");
        var time = new FakeTimeProvider();
        using var watcher = AuthFiles.WatchAcl(path, _logger, time, PollOnly);

        time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(1, watcher.Version);
        Assert.Single(_logger.Entries);
    }

    [Fact]
    public void ScheduleReload_BurstOfEvents_ReloadsOnceAfterTheLastOne()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\n");
        var time = new FakeTimeProvider();
        using var watcher = AuthFiles.WatchAcl(path, _logger, time, PollOnly);
        var changes = 0;
        watcher.Changed += (_, _) => changes++;
        File.WriteAllText(path, "topic b\n");

        watcher.ScheduleReload();
        time.Advance(TimeSpan.FromMilliseconds(150));
        watcher.ScheduleReload();
        time.Advance(TimeSpan.FromMilliseconds(150));
        watcher.ScheduleReload();
        time.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal(0, changes);
        time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.Equal(1, changes);
        Assert.True(Reads(watcher.Current, "b"));
    }

    [Fact]
    public void Reload_SameTextAgain_IsNoNewVersion()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger, new FakeTimeProvider(), PollOnly);

        File.WriteAllText(path, "topic a\n");
        var applied = watcher.Reload();

        Assert.False(applied);
        Assert.Equal(1, watcher.Version);
    }

    [Fact]
    public void Reload_SameMalformedTextAgain_IsReportedOnce()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "bad\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger, new FakeTimeProvider(), PollOnly);
        var before = _logger.Errors.Count;

        watcher.Reload();
        watcher.Reload();

        Assert.Equal(before, _logger.Errors.Count);
    }

    [Fact]
    public void Reload_FileDeletedAfterLoad_KeepsRulesAndWarnsOnce()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger, new FakeTimeProvider(), PollOnly);

        File.Delete(path);
        var applied = watcher.Reload();
        watcher.Reload();

        Assert.False(applied);
        Assert.True(Reads(watcher.Current, "a"));
        var warning = Assert.Single(_logger.Entries, entry => entry.Level == LogLevel.Warning);
        Assert.Contains("disappeared", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_FileDeletedThenWrittenBack_SaysMissingWithTheVersionInForce_ThenClears()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger, new FakeTimeProvider(), PollOnly);
        var raised = 0;
        watcher.ProblemChanged += (_, _) => raised++;
        Assert.Null(watcher.Problem);

        File.Delete(path);
        watcher.Reload();
        watcher.Reload();

        var problem = Assert.IsType<AuthFileProblem>(watcher.Problem);
        Assert.Equal(AuthFileProblemKind.Missing, problem.Kind);
        Assert.Equal(1, problem.Version);
        Assert.True(problem.KeepsEarlierVersion);
        Assert.Equal(watcher.LoadedAt, problem.LoadedAt);
        Assert.Equal(1, raised);

        File.WriteAllText(path, "topic a\n");
        watcher.Reload();

        Assert.Null(watcher.Problem);
        Assert.Equal(1, watcher.Version);
        Assert.Equal(2, raised);
    }

    [Fact]
    public void Problem_MalformedThenFixed_NamesTheFirstBadLine_ThenClears()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger, new FakeTimeProvider(), PollOnly);

        File.WriteAllText(path, "topic b\nuser\nnonsense here\n");
        watcher.Reload();

        var problem = Assert.IsType<AuthFileProblem>(watcher.Problem);
        Assert.Equal(AuthFileProblemKind.Malformed, problem.Kind);
        Assert.Equal("line 2: \"user\" needs a name (and 1 more)", problem.Detail);

        // Deleted, then the same bad text back: still malformed, with its line.
        File.Delete(path);
        watcher.Reload();
        Assert.Equal(AuthFileProblemKind.Missing, watcher.Problem?.Kind);
        File.WriteAllText(path, "topic b\nuser\nnonsense here\n");
        watcher.Reload();
        Assert.Equal(AuthFileProblemKind.Malformed, watcher.Problem?.Kind);
        Assert.StartsWith("line 2:", watcher.Problem?.Detail, StringComparison.Ordinal);

        File.WriteAllText(path, "topic b\n");
        watcher.Reload();
        Assert.Null(watcher.Problem);
        Assert.True(Reads(watcher.Current, "b"));
    }

    [Fact]
    public void Problem_MissingAtStart_SaysNothingIsAllowed()
    {
        using var watcher = AuthFiles.WatchAcl(_dir.File("vmq.acl"), _logger, new FakeTimeProvider(), PollOnly);

        var problem = Assert.IsType<AuthFileProblem>(watcher.Problem);
        Assert.Equal(AuthFileProblemKind.Missing, problem.Kind);
        Assert.False(problem.KeepsEarlierVersion);
        Assert.Null(problem.LoadedAt);
    }

    [Fact]
    public void Reload_MalformedAfterGoodVersion_KeepsItAndLogsFileAndLine()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger, new FakeTimeProvider(), PollOnly);

        File.WriteAllText(path, "topic b\n\n\nuser\n");
        var applied = watcher.Reload();

        Assert.False(applied);
        Assert.True(Reads(watcher.Current, "a"));
        Assert.False(Reads(watcher.Current, "b"));
        Assert.Contains(_logger.Errors, entry => IsMalformedLine(entry, path, 4)
            && entry.Message == $"Auth file {path}, line 4: \"user\" needs a name");
    }

    [Fact]
    public void Changed_HandlerThrows_NewVersionStillAppliesAndIsLogged()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger, new FakeTimeProvider(), PollOnly);
        var secondCalled = false;
        watcher.Changed += (_, _) => throw new InvalidOperationException("boom");
        watcher.Changed += (_, _) => secondCalled = true;

        File.WriteAllText(path, "topic b\n");
        var applied = watcher.Reload();

        Assert.True(applied);
        Assert.True(secondCalled);
        Assert.True(Reads(watcher.Current, "b"));
        Assert.Contains(_logger.Errors, entry => entry.Exception is InvalidOperationException);
    }

    [Fact]
    public void Dispose_StopsReloading()
    {
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic a\n");
        var time = new FakeTimeProvider();
        var watcher = AuthFiles.WatchAcl(path, _logger, time, PollOnly);

        watcher.Dispose();
        File.WriteAllText(path, "topic a\ntopic b\n");
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.False(watcher.Reload());
        Assert.Equal(1, watcher.Version);
        Assert.False(Reads(watcher.Current, "b"));
    }

    [Fact]
    public async Task Current_ReadWhileReloading_IsAlwaysAWholeVersion()
    {
        // Version k's file allows exactly topic "v{k}", so a reader can tell whether the rules it got
        // belong to the version number it read. Reading Version, Current, Version: when both version
        // reads agree no reload completed in between, so Current must be that version's rules. A
        // publication in parts (rules and number stored separately) shows as a mismatch.
        var path = _dir.File("vmq.acl");
        File.WriteAllText(path, "topic read v1\n");
        using var watcher = AuthFiles.WatchAcl(path, _logger, new FakeTimeProvider(), PollOnly);
        using var stop = new CancellationTokenSource();
        var torn = new List<string>();
        var checkedVersions = new HashSet<long>();
        var readerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var before = watcher.Version;
                var acl = watcher.Current;
                var after = watcher.Version;
                if (before != after)
                {
                    continue;
                }
                checkedVersions.Add(before);
                readerStarted.TrySetResult();
                if (!Reads(acl, $"v{before}") && torn.Count < 10)
                {
                    torn.Add($"version {before} read with other rules");
                }
            }
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        await readerStarted.Task.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        const int versions = 300;
        for (var v = 2; v <= versions; v++)
        {
            File.WriteAllText(path, $"topic read v{v}\n");
            Assert.True(watcher.Reload());
        }
        await stop.CancelAsync();
        await reader;

        Assert.Empty(torn);
        Assert.Equal(versions, watcher.Version);
        // Not vacuous: the reader ran alongside the reloads, not only before or after them.
        Assert.True(checkedVersions.Count > 2, $"the reader saw only versions {string.Join(", ", checkedVersions)}");
    }
}
