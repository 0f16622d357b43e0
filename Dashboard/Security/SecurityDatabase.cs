using Dashboard.Core.Query;
using Dashboard.Hosting;
using Dashboard.Security.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Security;

/// <summary>
/// The security database cannot take a write (read-only, locked by another program, a full disk, a disk
/// error): the message says so in words for the person who asked (docs/reliability.md).
/// </summary>
public sealed class SecurityDatabaseException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The SQLite file <c>&lt;Data:Path&gt;/dashboard.db</c> that holds users and roles (ASP.NET Core Identity's
/// tables), API keys, wall tokens, client blocks and the audit log, its schema made by EF Core migrations
/// (<see cref="SecurityDbContext"/>; a database from before them is imported once, <see cref="LegacySchema"/>).
/// Each operation opens its own connection and context (Microsoft.Data.Sqlite pools the connections), so
/// the stores are safe to use from any thread: SQLite serialises writers and WAL lets readers run beside them.
/// A write the file refuses (read-only, locked, full) becomes a <see cref="SecurityDatabaseException"/>
/// or a failed result with a sentence saying so (<see cref="Write{T}(Func{T})"/>, <see cref="TryWrite{T}"/>),
/// never a bare SQLite error.
/// </summary>
public sealed class SecurityDatabase : IDisposable
{
    public const string FileName = "dashboard.db";

    private readonly string _connectionString;

    public SecurityDatabase(string dataPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataPath);
        Directory.CreateDirectory(dataPath);
        FilePath = Path.Combine(Path.GetFullPath(dataPath), FileName);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // How long a writer waits for another writer's lock before giving up (seconds); writes
            // here are single small rows, so contention among the app's own writers clears in
            // milliseconds. A lock held longer is another program's, and a person is waiting for the
            // answer (a sign-in, a disconnect): five seconds, then "locked" in words.
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();
        try
        {
            Migrate();
        }
        catch (Exception exception) when (SqliteOf(exception) is { } sqlite)
        {
            // Stops the start with one line and exit code 2, as a bad setting does (Program), not a crash
            // with a stack trace: the operator's next step is about the file (docs/reliability.md). A write
            // refused here can only be a migration this build must make.
            var (problem, next) = sqlite.SqliteErrorCode switch
            {
                5 or 6 => (ReadProblem(exception), "start it again once that program lets go of the file"),
                11 or 26 => (ReadProblem(exception), "restore the file from a backup, or move it aside to start with an empty database"),
                8 or 3 => ($"The dashboard's database {FilePath} cannot be used (it is read-only, and this build must update its tables)", Checks),
                13 => ($"The dashboard's database {FilePath} cannot be used (its disk is full)", Checks),
                _ => (ReadProblem(exception), Checks),
            };
            throw new SettingException($"{problem}, so the dashboard cannot start: {next} (Data:Path).", exception);
        }
    }

    private const string Checks = "check the file, its folder's permissions and the disk";

    /// <summary>How long a write waits for a lock another connection holds before it is refused.</summary>
    public const int BusyTimeoutSeconds = 5;

    /// <summary>The database file's full path.</summary>
    public string FilePath { get; }

    /// <summary>An open connection set up for this database; the caller disposes it (the stores use <see cref="CreateContext()"/>; tests read the raw tables).</summary>
    internal SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
            {
                // Opened (and pooled) while the file was read-only, it stays read-only for good: open afresh,
                // so a file made writable again is written at once. Only while the file is read-only.
                connection.Dispose();
                ClearPool();
                connection = new SqliteConnection(_connectionString);
                connection.Open();
            }
            using var pragmas = connection.CreateCommand();
            // synchronous=FULL: in WAL mode NORMAL already survives the app being killed, but may lose the
            // last commits on power loss; these writes are rare human actions and an audit entry must
            // outlive the action it reports, so the extra fsync per commit is worth it.
            pragmas.CommandText = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A context on its own newly opened connection (see <see cref="Open"/>), which it closes when disposed:
    /// short-lived, one per operation, as the stores are singletons used from any thread.
    /// </summary>
    public SecurityDbContext CreateContext() => CreateContext(Open(), ownsConnection: true);

    private static SecurityDbContext CreateContext(SqliteConnection connection, bool ownsConnection) =>
        new(new DbContextOptionsBuilder<SecurityDbContext>().UseSqlite(connection, ownsConnection).Options);

    /// <summary>
    /// A sentence for people when <paramref name="exception"/> means the database cannot take a write
    /// (read-only, locked by another program, a full disk, a disk error); null for any other failure.
    /// </summary>
    public string? Describe(Exception exception) => exception switch
    {
        // EF wraps a refused SaveChanges; the reason is the SQLite error inside.
        DbUpdateException { InnerException: { } inner } => Describe(inner),
        SecurityDatabaseException known => known.Message,
        SqliteException { SqliteErrorCode: 8 or 3 } => // SQLITE_READONLY, SQLITE_PERM
            $"The dashboard's database {FilePath} is read-only, so this cannot be recorded; an administrator must make it writable again.",
        SqliteException { SqliteErrorCode: 5 or 6 } => // SQLITE_BUSY, SQLITE_LOCKED
            $"The dashboard's database {FilePath} is locked by another program, so this cannot be recorded now; try again in a moment.",
        SqliteException { SqliteErrorCode: 13 } => // SQLITE_FULL
            $"The disk holding the dashboard's database {FilePath} is full, so this cannot be recorded.",
        SqliteException { SqliteErrorCode: 10 or 14 } => // SQLITE_IOERR, SQLITE_CANTOPEN
            $"The dashboard's database {FilePath} cannot be written (a disk or permission error), so this cannot be recorded.",
        _ => null,
    };

    /// <summary>
    /// A sentence for people when <paramref name="exception"/> means the database could not be read (locked
    /// by another program in exclusive mode, damaged, gone, a disk error); null for any other failure. The
    /// caller adds what this stops, after a comma.
    /// </summary>
    public string? ReadProblem(Exception exception) => SqliteOf(exception) switch
    {
        null => null,
        { SqliteErrorCode: 5 or 6 } => $"The dashboard's database {FilePath} cannot be read (another program holds it locked)",
        { SqliteErrorCode: 11 or 26 } => $"The dashboard's database {FilePath} cannot be read (the file is damaged or is not a database)",
        { SqliteErrorCode: 10 or 14 or 23 } => $"The dashboard's database {FilePath} cannot be read (a disk or permission error)",
        var other => $"The dashboard's database {FilePath} cannot be read (SQLite error {other.SqliteErrorCode})",
    };

    /// <summary>
    /// Runs a write; a refusal by the file becomes a <see cref="SecurityDatabaseException"/> that says why.
    /// After a read-only refusal the pooled connections are let go, so a file made writable again is
    /// written at the next try (a connection opened on a read-only file stays read-only).
    /// </summary>
    public T Write<T>(Func<T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        try
        {
            return write();
        }
        catch (Exception exception) when (exception is not SecurityDatabaseException && Describe(exception) is { } message)
        {
            Recover(exception);
            throw new SecurityDatabaseException(message, exception);
        }
    }

    /// <summary>As <see cref="Write{T}(Func{T})"/>, with the refusal as a failed result.</summary>
    public Result<T> TryWrite<T>(Func<Result<T>> write)
    {
        try
        {
            return Write(write);
        }
        catch (SecurityDatabaseException exception)
        {
            return Result<T>.Fail(exception.Message);
        }
    }

    /// <summary>
    /// Why a write would be refused now, or null when it would go through: for actions that must not
    /// happen unless their audit entry can be written after them (a disconnect, a trace). With
    /// <paramref name="commit"/> (the readiness check) a write that changes nothing is committed, so a
    /// full disk is found too; without, the write lock is taken and given back.
    /// </summary>
    public string? WriteProblem(bool commit = false)
    {
        try
        {
            using var connection = Open();
            // A connection opened on a file it may not write is read-only; BEGIN IMMEDIATE would not notice.
            if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
            {
                ClearPool();
                return Describe(new SqliteException("attempt to write a readonly database", 8));
            }
            // Takes the write lock (waiting as a write would).
            using var transaction = connection.BeginTransaction();
            if (commit)
            {
                using var write = connection.CreateCommand();
                write.Transaction = transaction;
                // The migrations' own table is always there.
                write.CommandText = $"UPDATE \"{MigrationsHistoryTable}\" SET \"ProductVersion\" = \"ProductVersion\";";
                write.ExecuteNonQuery();
                transaction.Commit();
            }
            return null;
        }
        catch (SqliteException exception) when (Describe(exception) is { } message)
        {
            Recover(exception);
            return message;
        }
    }

    private void Recover(Exception exception)
    {
        if (SqliteOf(exception) is { SqliteErrorCode: 8 or 3 or 14 })
        {
            ClearPool();
        }
    }

    // SQLite's own error, thrown as is or wrapped once (EF's DbUpdateException).
    private static SqliteException? SqliteOf(Exception exception) => exception as SqliteException ?? exception.InnerException as SqliteException;

    private void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private void Migrate()
    {
        using var connection = Open();
        var tables = Tables(connection);
        using var context = CreateContext(connection, ownsConnection: false);
        var known = context.Database.GetMigrations().ToList();
        if (tables.Contains(LegacySchema.VersionTable) && !tables.Contains(MigrationsHistoryTable))
        {
            SetWal(connection);
            LegacySchema.Import(connection, context, FilePath);
            return;
        }
        var applied = tables.Contains(MigrationsHistoryTable) ? context.Database.GetAppliedMigrations().ToList() : [];
        if (applied.Except(known, StringComparer.Ordinal).FirstOrDefault() is { } unknown)
        {
            throw new SettingException(
                $"{FilePath} has the migration {unknown}, which this build does not know: it was written by a newer dashboard (Data:Path).");
        }
        if (applied.Count == known.Count)
        {
            // Nothing to write: a database that is read-only (or locked by another program) at start still
            // serves sign-ins' reads and says why writes fail, instead of stopping the app.
            return;
        }
        SetWal(connection);
        context.Database.Migrate();
    }

    /// <summary>EF Core's table of applied migrations; its absence beside the old tables marks a database from before Identity.</summary>
    internal const string MigrationsHistoryTable = "__EFMigrationsHistory";

    private static HashSet<string> Tables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table';";
        using var reader = command.ExecuteReader();
        var tables = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }
        return tables;
    }

    private static void SetWal(SqliteConnection connection)
    {
        // WAL is a property of the file, so setting it once here covers every later connection;
        // it lets readers (audit queries, key checks) run while a writer commits.
        using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode = WAL;";
        wal.ExecuteNonQuery();
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted
        // (and a test's second instance really opens it afresh).
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
