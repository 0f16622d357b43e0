using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Core.Live;

/// <summary>What happened to a client's session in a <see cref="SessionEvent"/>.</summary>
public enum SessionEventKind : byte
{
    /// <summary>A new queue was created (first connect, or a clean start).</summary>
    Created,
    /// <summary>A connection attached: the client came online.</summary>
    Online,
    /// <summary>The connection ended: the client went offline.</summary>
    Offline,
    /// <summary>The queue was removed with its subscriptions and messages (clean session ended, or cleaned up).</summary>
    Removed,
}

/// <summary>One entry of a client's recent history.</summary>
/// <param name="At">When the store saw it, Unix epoch milliseconds.</param>
/// <param name="Kind">What happened.</param>
public readonly record struct SessionEvent(long At, SessionEventKind Kind);

/// <summary>
/// The recent online/offline history of each client, fed by the store's change feed. One per node
/// (singleton). Memory is bounded twice over: each client keeps its last <c>perClient</c> events, and
/// beyond <c>maxClients</c> clients the one that changed least recently is forgotten, so a million
/// flapping clients cost a fixed amount. Histories outlive their queues (until evicted), so a client
/// that just went away still shows how it left. Thread-safe.
/// </summary>
public sealed class SessionHistory : IDisposable
{
    /// <summary>Events kept per client unless configured otherwise.</summary>
    public const int DefaultPerClient = 50;

    /// <summary>Clients tracked unless configured otherwise.</summary>
    public const int DefaultMaxClients = 100_000;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly int _perClient;
    private readonly int _maxClients;
    private readonly IDisposable _subscription;

    // Guarded by _lock. The clients form a list from least (_oldest) to most (_newest) recently
    // changed, linked through the entries themselves so tracking a client costs one object.
    private readonly Dictionary<QueueKey, ClientEvents> _clients = [];
    private ClientEvents? _oldest;
    private ClientEvents? _newest;

    /// <summary>Starts recording <paramref name="store"/>'s changes.</summary>
    public SessionHistory(SessionStore store, TimeProvider? time = null, int perClient = DefaultPerClient, int maxClients = DefaultMaxClients)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(perClient, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxClients, 1);
        _time = time ?? TimeProvider.System;
        _perClient = perClient;
        _maxClients = maxClients;
        _subscription = store.Subscribe(Record);
    }

    /// <summary>How many clients have a history now (at most <c>maxClients</c>).</summary>
    public int ClientCount
    {
        get
        {
            lock (_lock)
            {
                return _clients.Count;
            }
        }
    }

    /// <summary>The recent events of a client, oldest first; empty when none are known.</summary>
    public IReadOnlyList<SessionEvent> For(QueueKey key)
    {
        lock (_lock)
        {
            return _clients.TryGetValue(key, out var client) ? client.ToArray() : [];
        }
    }

    // Runs on the store's writer under its write lock: append and relink, nothing slower.
    private void Record(IReadOnlyList<SessionChange> changes)
    {
        long? now = null;
        lock (_lock)
        {
            foreach (var change in changes)
            {
                SessionEventKind kind;
                switch (change.Kind)
                {
                    case ChangeKind.Created:
                        kind = SessionEventKind.Created;
                        break;
                    case ChangeKind.Online:
                        kind = SessionEventKind.Online;
                        break;
                    case ChangeKind.Offline:
                        kind = SessionEventKind.Offline;
                        break;
                    case ChangeKind.Removed:
                        kind = SessionEventKind.Removed;
                        break;
                    default:
                        continue;
                }
                now ??= _time.GetUtcNow().ToUnixTimeMilliseconds();
                Touch(change.Key).Add(new SessionEvent(now.Value, kind));
            }
        }
    }

    private ClientEvents Touch(QueueKey key)
    {
        if (_clients.TryGetValue(key, out var client))
        {
            if (client != _newest)
            {
                Unlink(client);
                Append(client);
            }
            return client;
        }
        if (_clients.Count >= _maxClients && _oldest is { } evicted)
        {
            Unlink(evicted);
            _clients.Remove(evicted.Key);
        }
        client = new ClientEvents(key, _perClient);
        _clients.Add(key, client);
        Append(client);
        return client;
    }

    private void Unlink(ClientEvents client)
    {
        if (client.Previous is { } previous)
        {
            previous.Next = client.Next;
        }
        else
        {
            _oldest = client.Next;
        }
        if (client.Next is { } next)
        {
            next.Previous = client.Previous;
        }
        else
        {
            _newest = client.Previous;
        }
        client.Previous = null;
        client.Next = null;
    }

    private void Append(ClientEvents client)
    {
        client.Previous = _newest;
        if (_newest is not null)
        {
            _newest.Next = client;
        }
        else
        {
            _oldest = client;
        }
        _newest = client;
    }

    /// <inheritdoc />
    public void Dispose() => _subscription.Dispose();

    /// <summary>A ring of one client's events that grows to its bound and then overwrites the oldest.</summary>
    private sealed class ClientEvents(QueueKey key, int bound)
    {
        // Most clients connect and disconnect a few times: start small, double up to the bound.
        private SessionEvent[] _ring = new SessionEvent[Math.Min(4, bound)];
        private int _start;
        private int _count;

        public QueueKey Key { get; } = key;

        public ClientEvents? Previous { get; set; }

        public ClientEvents? Next { get; set; }

        public void Add(SessionEvent item)
        {
            if (_count == _ring.Length && _ring.Length < bound)
            {
                var grown = new SessionEvent[Math.Min(bound, _ring.Length * 2)];
                CopyTo(grown);
                _ring = grown;
                _start = 0;
            }
            if (_count < _ring.Length)
            {
                _ring[(_start + _count) % _ring.Length] = item;
                _count++;
                return;
            }
            _ring[_start] = item;
            _start = (_start + 1) % _ring.Length;
        }

        public SessionEvent[] ToArray()
        {
            var copy = new SessionEvent[_count];
            CopyTo(copy);
            return copy;
        }

        private void CopyTo(SessionEvent[] destination)
        {
            for (var i = 0; i < _count; i++)
            {
                destination[i] = _ring[(_start + i) % _ring.Length];
            }
        }
    }
}
