using Dashboard.Core.Sessions;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Protocol;

namespace Dashboard.Broker.Persistence;

/// <summary>
/// The SQLite file <c>&lt;Data:Path&gt;/sessions.db</c> that keeps the embedded broker's persistent
/// sessions, their subscriptions and queued QoS 1/2 messages, and the retained messages
/// (docs/persistence.md). One connection, used by the journal's writer alone. WAL with
/// <c>synchronous=NORMAL</c>: a committed write is in the operating system's hands, so it survives the
/// process being killed; surviving a power cut as well would need <c>FULL</c> (an fsync per commit).
/// </summary>
internal sealed class SessionFile : IDisposable
{
    public const string FileName = "sessions.db";

    // Each entry moves the schema from version i to i + 1; a released entry is never edited.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE sessions (
            mountpoint TEXT NOT NULL,
            client_id TEXT NOT NULL,
            protocol INTEGER NOT NULL,
            user TEXT NULL,
            started_at INTEGER NOT NULL,
            expiry INTEGER NOT NULL,
            disconnected_at INTEGER NULL,
            PRIMARY KEY (mountpoint, client_id)
        ) WITHOUT ROWID;
        CREATE TABLE subscriptions (
            mountpoint TEXT NOT NULL,
            client_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            qos INTEGER NOT NULL,
            retain_as_published INTEGER NULL,
            no_local INTEGER NULL,
            PRIMARY KEY (mountpoint, client_id, topic)
        ) WITHOUT ROWID;
        CREATE TABLE messages (
            seq INTEGER PRIMARY KEY,
            mountpoint TEXT NOT NULL,
            client_id TEXT NOT NULL,
            msg_ref TEXT NOT NULL,
            topic TEXT NOT NULL,
            qos INTEGER NOT NULL,
            payload BLOB NOT NULL
        );
        CREATE INDEX messages_ref ON messages (msg_ref);
        CREATE INDEX messages_client ON messages (mountpoint, client_id);
        CREATE TABLE retained (
            topic TEXT NOT NULL PRIMARY KEY,
            qos INTEGER NOT NULL,
            payload BLOB NOT NULL
        ) WITHOUT ROWID;
        """,
    ];

    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SessionFile(string dataPath)
    {
        Directory.CreateDirectory(dataPath);
        Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataPath, FileName));
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            _connection.Open();
            Execute("PRAGMA journal_mode = WAL;");
            Execute("PRAGMA synchronous = NORMAL;");
            Migrate();
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    public SqliteTransaction Begin() => _connection.BeginTransaction();

    /// <summary>A prepared command, made once per text and reused.</summary>
    public SqliteCommand Command(string text, SqliteTransaction transaction)
    {
        if (!_commands.TryGetValue(text, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = text;
            _commands[text] = command;
        }
        command.Transaction = transaction;
        command.Parameters.Clear();
        return command;
    }

    /// <summary>Everything the file holds, oldest message first.</summary>
    public (List<StoredSession> Sessions, List<MqttApplicationMessage> Retained) ReadAll()
    {
        var sessions = new Dictionary<QueueKey, StoredSession>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT mountpoint, client_id, protocol, user, started_at, expiry, disconnected_at FROM sessions";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var key = new QueueKey(reader.GetString(0), reader.GetString(1));
                sessions[key] = new StoredSession(key, reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetInt64(4), (uint)reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6));
            }
        }
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT mountpoint, client_id, topic, qos, retain_as_published, no_local FROM subscriptions";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (sessions.TryGetValue(new QueueKey(reader.GetString(0), reader.GetString(1)), out var session))
                {
                    session.Subscriptions.Add(new Subscription(reader.GetString(2), reader.GetInt32(3),
                        reader.IsDBNull(4) ? null : reader.GetInt32(4) != 0, reader.IsDBNull(5) ? null : reader.GetInt32(5) != 0));
                }
            }
        }
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT mountpoint, client_id, msg_ref, topic, qos, payload FROM messages ORDER BY seq";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (sessions.TryGetValue(new QueueKey(reader.GetString(0), reader.GetString(1)), out var session))
                {
                    session.Messages.Add(new QueuedMessage(reader.GetString(2), reader.GetInt32(4), reader.GetString(3), false, (byte[])reader.GetValue(5)));
                }
            }
        }
        var retained = new List<MqttApplicationMessage>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT topic, qos, payload FROM retained";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                retained.Add(new MqttApplicationMessage
                {
                    Topic = reader.GetString(0),
                    QualityOfServiceLevel = (MqttQualityOfServiceLevel)reader.GetInt32(1),
                    PayloadSegment = (byte[])reader.GetValue(2),
                    Retain = true,
                });
            }
        }
        return (sessions.Values.ToList(), retained);
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _connection.Dispose();
    }

    private void Execute(string text)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = text;
        command.ExecuteNonQuery();
    }

    private void Migrate()
    {
        using var read = _connection.CreateCommand();
        read.CommandText = "PRAGMA user_version;";
        var version = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (version > Migrations.Length)
        {
            throw new InvalidOperationException($"{Path} was written by a newer version of the dashboard (schema {version}, this one knows {Migrations.Length}).");
        }
        for (; version < Migrations.Length; version++)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations[version] + $"\nPRAGMA user_version = {version + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }
}

/// <summary>One persistent session as the file holds it.</summary>
/// <param name="Key">Mountpoint and client id.</param>
/// <param name="Protocol">3, 4 or 5: the protocol of its last connection.</param>
/// <param name="User">The user name of its last connection.</param>
/// <param name="StartedAt">When its queue was created, Unix epoch milliseconds.</param>
/// <param name="Expiry">Seconds it outlives its connection; <see cref="uint.MaxValue"/> for ever.</param>
/// <param name="DisconnectedAt">When its client went offline, Unix epoch milliseconds; null while it was online.</param>
internal sealed record StoredSession(QueueKey Key, int Protocol, string? User, long StartedAt, uint Expiry, long? DisconnectedAt)
{
    public List<Subscription> Subscriptions { get; } = [];

    public List<QueuedMessage> Messages { get; } = [];
}
