using System.Buffers;
using System.Threading.Channels;
using Dashboard.Core.Broker;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Data.Sqlite;
using MQTTnet;

namespace Dashboard.Broker.Persistence;

/// <summary>
/// Writes what must survive a restart of the embedded broker to <see cref="SessionFile"/>
/// (docs/persistence.md): persistent sessions (clean session off, or MQTT 5 session expiry above 0),
/// their subscriptions and queued QoS 1/2 messages, and retained messages. It follows the store events
/// the tracker applies, one transaction per batch on a writer of its own; the tracker holds a
/// publisher's acknowledgement until the batch with its message is committed. It also ends sessions
/// whose expiry has passed (MQTTnet only notices when the client comes back).
/// </summary>
/// <remarks>
/// When the disk refuses a write, the broker keeps serving from memory: the journal says so (log and
/// <see cref="Problem"/>, shown to Admins), keeps its in-memory picture up to date, and every few seconds
/// tries to write the whole picture again. A file that cannot be opened at start is left untouched for
/// the run (it may hold sessions this run could not read).
/// </remarks>
internal sealed partial class SessionJournal : ISessionJournal, IAsyncDisposable
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    // Tracker batches written in one transaction at most (each holds up to 1,024 events).
    private const int MaxGroup = 64;

    private readonly string _dataPath;
    private readonly SessionStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionJournal> _logger;
    private readonly Channel<Work> _work = Channel.CreateBounded<Work>(new BoundedChannelOptions(256)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Dictionary<QueueKey, Entry> _index = [];
    private readonly Dictionary<string, MqttApplicationMessage> _retained = new(StringComparer.Ordinal);
    private readonly PriorityQueue<QueueKey, long> _deadlines = new();
    private readonly HashSet<QueueKey> _expiring = [];
    private readonly List<Op> _ops = [];
    private readonly List<Batch> _group = [];
    private readonly Dictionary<string, int> _insertedNow = new(StringComparer.Ordinal);
    private SessionFile? _file;
    private bool _rewriteNeeded;
    private bool _openFailed;
    private long _lastAttempt;
    private Task? _writer;
    private ITimer? _ticker;

    public SessionJournal(string dataPath, SessionStore store, TimeProvider time, ILogger<SessionJournal> logger)
    {
        _dataPath = dataPath;
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>Why sessions are not being saved right now, and since when; null while all is well.</summary>
    public StorageProblem? Problem { get; private set; }

    /// <summary>Raised (on the writer) when <see cref="Problem"/> changes.</summary>
    public event Action? ProblemChanged;

    /// <summary>Ends a session whose expiry passed; set by the host to delete it from the broker.</summary>
    public Func<string, Task>? Expire { get; set; }

    /// <summary>Where the file is.</summary>
    public string FilePath => Path.GetFullPath(Path.Combine(_dataPath, SessionFile.FileName));

    /// <summary>The retained messages read at start, for the broker to load.</summary>
    public IReadOnlyList<MqttApplicationMessage> LoadedRetained { get; private set; } = [];

    /// <summary>
    /// Opens the file and reads it, drops the sessions whose expiry passed while the broker was down, and
    /// starts the writer. Returns the sessions to restore. Call once, before the broker starts.
    /// </summary>
    public IReadOnlyList<RestoredSession> Load()
    {
        var restored = new List<RestoredSession>();
        try
        {
            _file = new SessionFile(_dataPath);
            var (sessions, retained) = _file.ReadAll();
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var expired = new List<QueueKey>();
            foreach (var session in sessions)
            {
                // A client online when the broker stopped went offline then; its expiry counts from this start.
                var offlineSince = session.DisconnectedAt ?? now;
                if (session.Expiry != uint.MaxValue && offlineSince + (session.Expiry * 1000L) <= now)
                {
                    expired.Add(session.Key);
                    continue;
                }
                var entry = new Entry(session.Protocol, session.User, session.StartedAt, session.Expiry) { DisconnectedAt = offlineSince };
                _index[session.Key] = entry;
                Schedule(session.Key, entry);
                restored.Add(new RestoredSession(session.Key.ClientId, session.Protocol, session.StartedAt, session.Expiry,
                    session.Subscriptions, session.Messages) { User = session.User });
            }
            foreach (var message in retained)
            {
                _retained[message.Topic] = message;
            }
            LoadedRetained = retained;
            using (var transaction = _file.Begin())
            {
                foreach (var key in expired)
                {
                    DeleteSession(key, transaction);
                }
                foreach (var (key, entry) in _index)
                {
                    WriteSession(key, entry, transaction);
                }
                transaction.Commit();
            }
            LogLoaded(restored.Count, expired.Count, retained.Count, _file.Path);
        }
        catch (Exception exception) when (IsStorageError(exception))
        {
            _file?.Dispose();
            _file = null;
            _openFailed = true;
            restored.Clear();
            _index.Clear();
            LogOpenFailed(FilePath, Reason(exception));
            SetProblem($"Sessions are not saved in this run: {FilePath} could not be opened ({Reason(exception)}). Fix it and restart the dashboard.");
        }
        _writer = Task.Run(WriteAsync);
        _ticker = _time.CreateTimer(_ => _work.Writer.TryWrite(Tick.Instance), null, TickInterval, TickInterval);
        return restored;
    }

    public ValueTask AppendAsync(StoreEvent[] changes, RetainedChange[] retained, DurableMark durable)
    {
        var batch = new Batch(changes, retained, durable);
        return _work.Writer.TryWrite(batch) ? ValueTask.CompletedTask : WriteSlowAsync(batch);
    }

    private async ValueTask WriteSlowAsync(Batch batch)
    {
        try
        {
            await _work.Writer.WriteAsync(batch).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            batch.Durable.Written();
        }
    }

    /// <summary>Writes what it has and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ticker is not null)
        {
            await _ticker.DisposeAsync().ConfigureAwait(false);
        }
        _work.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }
        _file?.Dispose();
    }

    private async Task WriteAsync()
    {
        var reader = _work.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var work))
            {
                if (work is Batch batch)
                {
                    // The tracker hands over a batch per turn of its loop, often a few events each; every
                    // batch already waiting goes into the same transaction, so publishers waiting for
                    // their acknowledgement share one commit however the tracker cut the batches.
                    _group.Add(batch);
                    if (_group.Count < MaxGroup)
                    {
                        continue;
                    }
                }
                WriteGroup();
                if (work is Tick)
                {
                    try
                    {
                        Sweep();
                        if (_rewriteNeeded)
                        {
                            TryRewrite();
                        }
                    }
                    catch (Exception exception)
                    {
                        LogUnexpected(exception);
                    }
                }
            }
            WriteGroup();
        }
    }

    /// <summary>Writes the waiting batches in one transaction, in order, then releases their acknowledgements.</summary>
    private void WriteGroup()
    {
        if (_group.Count == 0)
        {
            return;
        }
        try
        {
            Write(_group);
        }
        catch (Exception exception)
        {
            LogUnexpected(exception);
        }
        finally
        {
            // Written, or not writable: either way the broker goes on (see the remarks). The batches came
            // in order, so the last one's mark covers the others; this writer releases the waiting
            // acknowledgements itself, with no hop back through the tracker (docs/broker.md).
            _group[^1].Durable.Written();
            _group.Clear();
        }
    }

    private void Write(List<Batch> batches)
    {
        _ops.Clear();
        _insertedNow.Clear();
        foreach (var batch in batches)
        {
            foreach (var change in batch.Changes)
            {
                Plan(change);
            }
            foreach (var change in batch.Retained)
            {
                Plan(change);
            }
        }
        if (_ops.Count == 0 || _openFailed)
        {
            return;
        }
        if (_rewriteNeeded)
        {
            TryRewrite();
            return;
        }
        try
        {
            using var transaction = _file!.Begin();
            foreach (var op in _ops)
            {
                Execute(op, transaction);
            }
            transaction.Commit();
        }
        catch (Exception exception) when (IsStorageError(exception))
        {
            Failed(exception);
        }
    }

    /// <summary>Updates the in-memory picture and lists the writes; a message queued and gone within the transaction is never written.</summary>
    private void Plan(StoreEvent change)
    {
        var key = change.Key;
        switch (change)
        {
            case ClientConnected connected when connected.CleanSession:
                if (_index.Remove(key))
                {
                    _ops.Add(new Op(OpKind.DeleteSession, key));
                }
                break;
            case ClientConnected connected:
                var fresh = connected.StartFresh ?? false;
                if (_index.TryGetValue(key, out var entry) && fresh)
                {
                    _ops.Add(new Op(OpKind.DeleteSession, key));
                }
                if (entry is null || fresh)
                {
                    entry = new Entry(connected.Protocol, connected.User,
                        _store.Get(key)?.StartedAt ?? _time.GetUtcNow().ToUnixTimeMilliseconds(), connected.SessionExpiry);
                    _index[key] = entry;
                }
                entry.Protocol = connected.Protocol;
                entry.User = connected.User;
                entry.Expiry = connected.SessionExpiry;
                entry.DisconnectedAt = null;
                _ops.Add(new Op(OpKind.WriteSession, key, entry));
                break;
            case ClientDisconnected disconnected when _index.TryGetValue(key, out var offline):
                if (disconnected.KeepQueue == false)
                {
                    _index.Remove(key);
                    _ops.Add(new Op(OpKind.DeleteSession, key));
                    break;
                }
                offline.DisconnectedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (disconnected.SessionExpiry is { } expiry)
                {
                    offline.Expiry = expiry;
                }
                Schedule(key, offline);
                _ops.Add(new Op(OpKind.WriteSession, key, offline));
                break;
            case SubscriptionAdded added when _index.ContainsKey(key):
                _ops.Add(new Op(OpKind.WriteSubscription, key, added.Subscription));
                break;
            case SubscriptionRemoved removed when _index.ContainsKey(key):
                _ops.Add(new Op(OpKind.DeleteSubscription, key, removed.Topic));
                break;
            case MessageQueued queued when queued.Message.Qos > 0 && _index.ContainsKey(key):
                _insertedNow[queued.Message.MsgRef] = _ops.Count;
                _ops.Add(new Op(OpKind.InsertMessage, key, queued.Message));
                break;
            case MessageDelivered delivered when _index.ContainsKey(key):
                ForgetMessage(key, delivered.MsgRef);
                break;
            case MessageDropped dropped when _index.ContainsKey(key):
                ForgetMessage(key, dropped.MsgRef);
                break;
            case QueueRemoved:
                _expiring.Remove(key);
                if (_index.Remove(key))
                {
                    _ops.Add(new Op(OpKind.DeleteSession, key));
                }
                break;
        }
    }

    private void ForgetMessage(QueueKey key, string msgRef)
    {
        if (_insertedNow.Remove(msgRef, out var position))
        {
            _ops[position] = _ops[position] with { Kind = OpKind.None };
            return;
        }
        _ops.Add(new Op(OpKind.DeleteMessage, key, msgRef));
    }

    private void Plan(RetainedChange change)
    {
        if (change.Topic is null)
        {
            _retained.Clear();
            _ops.Add(new Op(OpKind.ClearRetained, default));
        }
        else if (change.Message is { } message)
        {
            _retained[change.Topic] = message;
            _ops.Add(new Op(OpKind.WriteRetained, default, message));
        }
        else
        {
            _retained.Remove(change.Topic);
            _ops.Add(new Op(OpKind.DeleteRetained, default, change.Topic));
        }
    }

    private void Execute(Op op, SqliteTransaction transaction)
    {
        var key = op.Key;
        switch (op.Kind)
        {
            case OpKind.WriteSession:
                WriteSession(key, (Entry)op.Value!, transaction);
                break;
            case OpKind.DeleteSession:
                DeleteSession(key, transaction);
                break;
            case OpKind.WriteSubscription:
                WriteSubscription(key, (Subscription)op.Value!, transaction);
                break;
            case OpKind.DeleteSubscription:
                Run(transaction, "DELETE FROM subscriptions WHERE mountpoint = $m AND client_id = $c AND topic = $t",
                    ("$m", key.Mountpoint), ("$c", key.ClientId), ("$t", op.Value));
                break;
            case OpKind.InsertMessage:
                WriteMessage(key, (QueuedMessage)op.Value!, transaction);
                break;
            case OpKind.DeleteMessage:
                Run(transaction, "DELETE FROM messages WHERE msg_ref = $r", ("$r", op.Value));
                break;
            case OpKind.WriteRetained:
                WriteRetained((MqttApplicationMessage)op.Value!, transaction);
                break;
            case OpKind.DeleteRetained:
                Run(transaction, "DELETE FROM retained WHERE topic = $t", ("$t", op.Value));
                break;
            case OpKind.ClearRetained:
                Run(transaction, "DELETE FROM retained");
                break;
        }
    }

    private void WriteSession(QueueKey key, Entry entry, SqliteTransaction transaction) =>
        Run(transaction, """
            INSERT INTO sessions (mountpoint, client_id, protocol, user, started_at, expiry, disconnected_at)
            VALUES ($m, $c, $p, $u, $s, $e, $d)
            ON CONFLICT (mountpoint, client_id) DO UPDATE SET protocol = $p, user = $u, started_at = $s, expiry = $e, disconnected_at = $d
            """,
            ("$m", key.Mountpoint), ("$c", key.ClientId), ("$p", entry.Protocol), ("$u", entry.User), ("$s", entry.StartedAt),
            ("$e", (long)entry.Expiry), ("$d", entry.DisconnectedAt));

    private void DeleteSession(QueueKey key, SqliteTransaction transaction)
    {
        foreach (var table in (string[])["sessions", "subscriptions", "messages"])
        {
            Run(transaction, $"DELETE FROM {table} WHERE mountpoint = $m AND client_id = $c", ("$m", key.Mountpoint), ("$c", key.ClientId));
        }
    }

    private void WriteSubscription(QueueKey key, Subscription subscription, SqliteTransaction transaction) =>
        Run(transaction, """
            INSERT INTO subscriptions (mountpoint, client_id, topic, qos, retain_as_published, no_local) VALUES ($m, $c, $t, $q, $r, $n)
            ON CONFLICT (mountpoint, client_id, topic) DO UPDATE SET qos = $q, retain_as_published = $r, no_local = $n
            """,
            ("$m", key.Mountpoint), ("$c", key.ClientId), ("$t", subscription.Topic), ("$q", subscription.Qos),
            ("$r", subscription.RetainAsPublished), ("$n", subscription.NoLocal));

    private void WriteMessage(QueueKey key, QueuedMessage message, SqliteTransaction transaction) =>
        Run(transaction, "INSERT INTO messages (mountpoint, client_id, msg_ref, topic, qos, payload) VALUES ($m, $c, $r, $t, $q, $p)",
            ("$m", key.Mountpoint), ("$c", key.ClientId), ("$r", message.MsgRef), ("$t", message.RoutingKey), ("$q", message.Qos),
            ("$p", message.Payload.ToArray()));

    private void WriteRetained(MqttApplicationMessage message, SqliteTransaction transaction) =>
        Run(transaction, "INSERT INTO retained (topic, qos, payload) VALUES ($t, $q, $p) ON CONFLICT (topic) DO UPDATE SET qos = $q, payload = $p",
            ("$t", message.Topic), ("$q", (int)message.QualityOfServiceLevel), ("$p", message.Payload.ToArray()));

    private void Run(SqliteTransaction transaction, string text, params (string Name, object? Value)[] parameters)
    {
        var command = _file!.Command(text, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value switch
            {
                null => DBNull.Value,
                bool flag => flag ? 1 : 0,
                _ => value,
            });
        }
        command.ExecuteNonQuery();
    }

    /// <summary>After a failed write: every few seconds, the whole in-memory picture in one transaction.</summary>
    private void TryRewrite()
    {
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(_lastAttempt, now) < RetryInterval)
        {
            return;
        }
        _lastAttempt = now;
        try
        {
            using var transaction = _file!.Begin();
            foreach (var table in (string[])["sessions", "subscriptions", "messages", "retained"])
            {
                Run(transaction, $"DELETE FROM {table}");
            }
            foreach (var (key, entry) in _index)
            {
                WriteSession(key, entry, transaction);
                if (_store.Get(key) is not { } queue)
                {
                    continue;
                }
                foreach (var subscription in queue.Subscriptions)
                {
                    WriteSubscription(key, subscription, transaction);
                }
                foreach (var message in queue.Messages)
                {
                    if (message.Qos > 0)
                    {
                        WriteMessage(key, message, transaction);
                    }
                }
            }
            foreach (var message in _retained.Values)
            {
                WriteRetained(message, transaction);
            }
            transaction.Commit();
            _rewriteNeeded = false;
            LogWritingAgain(_file.Path, _index.Count);
            SetProblem(null);
        }
        catch (Exception exception) when (IsStorageError(exception))
        {
            LogRewriteFailed(exception.Message);
        }
    }

    private void Failed(Exception exception)
    {
        _rewriteNeeded = true;
        _lastAttempt = _time.GetTimestamp();
        LogWriteFailed(_file!.Path, Reason(exception));
        SetProblem($"Sessions are not being saved: writing {_file.Path} failed ({Reason(exception)}). The broker keeps serving from memory; a restart now would lose what changed since.");
    }

    private void SetProblem(string? message)
    {
        Problem = message is null ? null : new StorageProblem(message, Problem?.Since ?? _time.GetUtcNow());
        ProblemChanged?.Invoke();
    }

    private void Schedule(QueueKey key, Entry entry)
    {
        if (entry.Expiry != uint.MaxValue && entry.DisconnectedAt is { } at)
        {
            _deadlines.Enqueue(key, at + (entry.Expiry * 1000L));
        }
    }

    /// <summary>Ends the sessions whose expiry passed: through the broker, so the store and this journal hear of it as of any deletion.</summary>
    private void Sweep()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        while (_deadlines.TryPeek(out var key, out var deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            if (_index.TryGetValue(key, out var entry) && entry.DisconnectedAt is { } at && entry.Expiry != uint.MaxValue
                && at + (entry.Expiry * 1000L) <= now && _expiring.Add(key) && Expire is { } expire)
            {
                LogExpired(key.ClientId, entry.Expiry);
                _ = expire(key.ClientId);
            }
        }
    }

    // SQLite's messages end with a full stop; the sentences around them have their own.
    private static string Reason(Exception exception) => exception.Message.TrimEnd('.', ' ');

    private static bool IsStorageError(Exception exception) =>
        exception is SqliteException or IOException or UnauthorizedAccessException;

    [LoggerMessage(Level = LogLevel.Information, Message = "Restoring {Sessions} persistent sessions and {Retained} retained messages from {Path} ({Expired} expired while the broker was down)")]
    private partial void LogLoaded(int sessions, int expired, int retained, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sessions are not saved in this run: {Path} could not be opened: {Problem}")]
    private partial void LogOpenFailed(string path, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing persistent sessions to {Path} failed: {Problem}. The broker keeps serving from memory and tries again every 5 s")]
    private partial void LogWriteFailed(string path, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Writing the persistent sessions again failed: {Problem}")]
    private partial void LogRewriteFailed(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Persistent sessions are written to {Path} again ({Sessions} sessions)")]
    private partial void LogWritingAgain(string path, int sessions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session of {ClientId} expired ({Expiry} s offline)")]
    private partial void LogExpired(string clientId, uint expiry);

    [LoggerMessage(Level = LogLevel.Error, Message = "The session journal failed unexpectedly")]
    private partial void LogUnexpected(Exception exception);

    private sealed class Entry(int protocol, string? user, long startedAt, uint expiry)
    {
        public int Protocol { get; set; } = protocol;

        public string? User { get; set; } = user;

        public long StartedAt { get; } = startedAt;

        public uint Expiry { get; set; } = expiry;

        public long? DisconnectedAt { get; set; }
    }

    private enum OpKind
    {
        None,
        WriteSession,
        DeleteSession,
        WriteSubscription,
        DeleteSubscription,
        InsertMessage,
        DeleteMessage,
        WriteRetained,
        DeleteRetained,
        ClearRetained,
    }

    private readonly record struct Op(OpKind Kind, QueueKey Key, object? Value = null);

    private abstract record Work;

    private sealed record Batch(StoreEvent[] Changes, RetainedChange[] Retained, DurableMark Durable) : Work;

    private sealed record Tick : Work
    {
        public static readonly Tick Instance = new();
    }
}

/// <summary>Why the broker's sessions are not being saved, and since when.</summary>
public sealed record StorageProblem(string Message, DateTimeOffset Since);
