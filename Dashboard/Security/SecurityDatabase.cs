using Microsoft.Data.Sqlite;

namespace Dashboard.Security;

/// <summary>
/// The SQLite file <c>&lt;Data:Path&gt;/dashboard.db</c> that holds users, API keys, wall tokens, client
/// blocks and the audit log. Each operation opens its own connection (Microsoft.Data.Sqlite pools them), so the stores
/// are safe to use from any thread: SQLite serialises writers and WAL lets readers run beside them.
/// </summary>
public sealed class SecurityDatabase : IDisposable
{
    public const string FileName = "dashboard.db";

    // Each entry moves the schema from version i to i + 1; a released entry is never edited, only
    // appended to, so a database made by any earlier build upgrades step by step.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            security_stamp TEXT NOT NULL,
            failed_count INTEGER NOT NULL DEFAULT 0,
            locked_until INTEGER NULL,
            created INTEGER NOT NULL
        );
        CREATE TABLE credentials (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            name TEXT NOT NULL COLLATE NOCASE,
            scope TEXT NULL,
            display_prefix TEXT NOT NULL,
            secret_hash BLOB NOT NULL UNIQUE,
            created INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            expires INTEGER NULL,
            revoked INTEGER NULL,
            revoked_by TEXT NULL,
            UNIQUE (kind, name)
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            parameters TEXT NOT NULL,
            result TEXT NOT NULL
        );
        CREATE INDEX audit_time ON audit (time);
        CREATE INDEX audit_target ON audit (target, time);
        CREATE INDEX audit_actor ON audit (actor, time);
        """,
        """
        CREATE TABLE ended_sign_ins (
            id TEXT NOT NULL PRIMARY KEY,
            until INTEGER NOT NULL
        );
        """,
        """
        CREATE TABLE client_blocks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            pattern TEXT NOT NULL,
            reason TEXT NOT NULL,
            expires INTEGER NULL,
            created INTEGER NOT NULL,
            created_by TEXT NOT NULL
        );
        """,
    ];

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
            // here are single small rows, so contention clears in milliseconds.
            DefaultTimeout = 30,
        }.ToString();
        Migrate();
    }

    /// <summary>The database file's full path.</summary>
    public string FilePath { get; }

    /// <summary>The schema version this build creates and understands.</summary>
    public static int SchemaVersion => Migrations.Length;

    /// <summary>An open connection set up for this database; the caller disposes it.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
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

    private void Migrate()
    {
        using var connection = Open();
        using (var wal = connection.CreateCommand())
        {
            // WAL is a property of the file, so setting it once here covers every later connection;
            // it lets readers (audit queries, key checks) run while a writer commits.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT version FROM schema_version;";
        var current = read.ExecuteScalar() is long stored ? (int)stored : 0;
        if (current > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"{FilePath} has schema version {current}, but this build knows only up to {Migrations.Length}: it was written by a newer dashboard.");
        }
        for (var version = current; version < Migrations.Length; version++)
        {
            Execute(connection, transaction, Migrations[version]);
        }
        if (current != Migrations.Length)
        {
            Execute(connection, transaction, "DELETE FROM schema_version;");
            Execute(connection, transaction, $"INSERT INTO schema_version (version) VALUES ({Migrations.Length});");
        }
        // All migrations commit together: a crash half-way leaves the old schema, never a mix.
        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted
        // (and a test's second instance really opens it afresh).
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
