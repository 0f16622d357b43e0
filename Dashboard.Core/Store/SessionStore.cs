using System.Collections.Immutable;
using Dashboard.Core.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dashboard.Core.Store;

/// <summary>
/// The sessions of one node: queues with their sessions, subscriptions and queued messages.
/// </summary>
/// <remarks>
/// Writers are serialised by one lock and only replace immutable <see cref="QueueState"/> objects, so a
/// write costs a dictionary lookup and one small allocation. Readers take no write lock: a
/// <see cref="StoreSnapshot"/> reads every queue as of one version (older states stay linked while a
/// snapshot may need them), and walks the sorted index a chunk at a time under a short index lock
/// that writers only take to add or drop a queue or topic.
/// </remarks>
public sealed partial class SessionStore
{
    private readonly Lock _writeLock = new();
    private readonly Lock _indexLock = new();
    private readonly Lock _snapshotLock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Guarded by _writeLock.
    private readonly Dictionary<QueueKey, QueueHandle> _handles = [];
    private readonly List<PendingRemoval> _pendingRemovals = [];
    // Handles for new queues, allocated together (see QueueHandle).
    private const int HandleBlock = 256;
    private QueueHandle[] _spareHandles = [];
    private int _nextSpare;
    private Dictionary<(QueueHandle, string?), long> _latestRemoval = [];
    private readonly List<SessionChange> _changes = [];
    private readonly List<QueueHandle> _written = [];
    private long _writeVersion;
    // The version before the batch being applied: states written after it are not yet visible to readers.
    private long _batchStart;
    private long _nextId;
    private long _online, _offline, _subscriptions, _messages;

    // Guarded by _writeLock: the connect histories of queues that went away, so a client that comes back
    // within the flapping window keeps counting (docs/operator-tools.md). Bounded by count and by age.
    private readonly Dictionary<QueueKey, ConnectHistory> _departed = [];
    private readonly Queue<(QueueKey Key, long At)> _departedOrder = new();
    internal const int MaxDeparted = 100_000;

    // Guarded by _writeLock: the history of the latest first connect, shared by every first connect
    // of the same millisecond.
    private ConnectHistory? _firstConnects;

    // Guarded by _writeLock: online, offline, subscriptions, messages of queues that name their node.
    private readonly Dictionary<string, long[]> _nodeCounts = new(StringComparer.Ordinal);

    // Guarded by _indexLock.
    private readonly SortedQueueIndex _index = new();
    private readonly TopicIndex _topics = new();
    private readonly SortedDictionary<string, int> _mountpoints = new(StringComparer.Ordinal);

    // Guarded by _snapshotLock: versions of the snapshots open now.
    private readonly List<long> _openSnapshots = [];

    private long _version;
    private StoreCounters _counters = new(0, 0, 0, 0, 0);
    private Action<IReadOnlyList<SessionChange>>[] _listeners = [];

    /// <summary>Creates an empty store for a node.</summary>
    public SessionStore(
        string nodeName, TimeProvider? time = null, ILogger<SessionStore>? logger = null,
        FlapPolicy? flapping = null, QueueHealthPolicy? health = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        NodeName = nodeName;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Flapping = flapping ?? new FlapPolicy(time: _time);
        Health = health ?? QueueHealthPolicy.Default;
    }

    /// <summary>When a client counts as flapping.</summary>
    public FlapPolicy Flapping { get; }

    /// <summary>The thresholds that mark a queue.</summary>
    public QueueHealthPolicy Health { get; }

    /// <summary>The node name shown in the <c>node</c> column.</summary>
    public string NodeName { get; }

    /// <summary>The version of the latest applied change.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>Totals as of the latest applied change.</summary>
    public StoreCounters Counters => Volatile.Read(ref _counters);

    /// <summary>
    /// Totals per node, as of the latest applied change: the nodes mirrored queues name, and the store's
    /// own node for the queues that name none (listed when it has any, or when there is no other node).
    /// Takes the write lock briefly: for occasional readers such as a metrics scrape.
    /// </summary>
    public IReadOnlyList<NodeCounters> CountersByNode()
    {
        lock (_writeLock)
        {
            var result = new List<NodeCounters>(_nodeCounts.Count + 1);
            long online = _online, offline = _offline, subscriptions = _subscriptions, messages = _messages;
            foreach (var (node, counts) in _nodeCounts)
            {
                if (counts[0] != 0 || counts[1] != 0 || counts[2] != 0 || counts[3] != 0)
                {
                    result.Add(new NodeCounters(node, counts[0], counts[1], counts[2], counts[3]));
                }
                online -= counts[0];
                offline -= counts[1];
                subscriptions -= counts[2];
                messages -= counts[3];
            }
            var own = result.FindIndex(counters => counters.Node == NodeName);
            if (own >= 0)
            {
                var mirrored = result[own];
                result[own] = mirrored with
                {
                    Online = mirrored.Online + online, Offline = mirrored.Offline + offline,
                    Subscriptions = mirrored.Subscriptions + subscriptions, QueuedMessages = mirrored.QueuedMessages + messages,
                };
            }
            else if (result.Count == 0 || online != 0 || offline != 0 || subscriptions != 0 || messages != 0)
            {
                result.Add(new NodeCounters(NodeName, online, offline, subscriptions, messages));
            }
            result.Sort((a, b) => string.CompareOrdinal(a.Node, b.Node));
            return result;
        }
    }

    /// <summary>The current state of a queue, or null when there is none.</summary>
    public QueueState? Get(QueueKey key)
    {
        QueueHandle? handle;
        lock (_indexLock)
        {
            handle = _index.Find(key);
        }
        if (handle is null)
        {
            return null;
        }
        for (var attempt = 0; attempt < 4; attempt++)
        {
            // As of the last published batch: a batch being applied may still revise its states. If a
            // batch was published meanwhile, the states read may have been unlinked: read again.
            var version = Volatile.Read(ref _version);
            var state = handle.ReadAt(version);
            if (Volatile.Read(ref _version) == version)
            {
                return state;
            }
        }
        // Batches keep coming: read between two of them.
        lock (_writeLock)
        {
            return handle.ReadAt(_version);
        }
    }

    /// <summary>Opens a consistent view of the store at its current version. Dispose it when done.</summary>
    public StoreSnapshot OpenSnapshot()
    {
        lock (_snapshotLock)
        {
            var version = Volatile.Read(ref _version);
            _openSnapshots.Add(version);
            return new StoreSnapshot(this, version);
        }
    }

    /// <summary>
    /// Calls <paramref name="listener"/> with each batch of changes, in version order, on the writer's
    /// thread while the write lock is held: it must only record (no I/O, no store writes).
    /// </summary>
    public IDisposable Subscribe(Action<IReadOnlyList<SessionChange>> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_writeLock)
        {
            _listeners = [.. _listeners, listener];
        }
        return new Unsubscriber(this, listener);
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds for the queue <paramref name="key"/> (its current
    /// state, null when there is none), re-checking on each change of that queue rather than polling.
    /// Returns false when <paramref name="timeout"/> passes first (measured on the store's clock).
    /// </summary>
    public async Task<bool> WaitUntilAsync(QueueKey key, Func<QueueState?, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        // The listener runs on the writer's thread: it only signals; the condition is checked here.
        var changed = System.Threading.Channels.Channel.CreateBounded<bool>(
            new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
        using var subscription = Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                if (change.Key == key)
                {
                    changed.Writer.TryWrite(true);
                    return;
                }
            }
        });
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = _time.CreateTimer(_ => expiry.Cancel(), null, timeout, Timeout.InfiniteTimeSpan);
        try
        {
            // Checked once after subscribing, so a change between the caller's read and here is not missed.
            while (!condition(Get(key)))
            {
                await changed.Reader.ReadAsync(expiry.Token).ConfigureAwait(false);
            }
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return condition(Get(key));
        }
    }

    // For tests: a subscription that outlives its consumer shows here, not in anything it renders.
    internal int ListenerCount => Volatile.Read(ref _listeners).Length;

    /// <summary>Applies one event; returns the store version afterwards.</summary>
    public long Apply(StoreEvent storeEvent) => Apply([storeEvent]);

    /// <summary>Applies events in order, publishing each; listeners get one batch. Returns the version afterwards.</summary>
    public long Apply(ReadOnlySpan<StoreEvent> events)
    {
        lock (_writeLock)
        {
            var oldestAtStart = OldestReaderVersion();
            _batchStart = _writeVersion;
            try
            {
                foreach (var storeEvent in events)
                {
                    ApplyOne(storeEvent, oldestAtStart);
                }
            }
            finally
            {
                // Readers see the batch whole, from here (docs/store.md, "Batches").
                Volatile.Write(ref _version, _writeVersion);
            }
            if (_pendingRemovals.Count > 0 || _written.Count > 0)
            {
                var oldestReader = OldestReaderVersion();
                // Removals are listed in version order: while the oldest is still visible to an open
                // snapshot there is nothing to do (a long scan would otherwise make every batch re-read them all).
                if (_pendingRemovals.Count > 0 && _pendingRemovals[0].Version <= oldestReader)
                {
                    PurgeRemovals(oldestReader);
                }
                ForgetPreviousStates(oldestReader);
            }
            if (_changes.Count == 0)
            {
                return _writeVersion;
            }
            Volatile.Write(ref _counters, new StoreCounters(_writeVersion, _online, _offline, _subscriptions, _messages));
            Notify();
            return _writeVersion;
        }
    }

    internal void CloseSnapshot(long version)
    {
        lock (_snapshotLock)
        {
            _openSnapshots.Remove(version);
        }
    }

    internal QueueHandle? FindHandle(QueueKey key)
    {
        lock (_indexLock)
        {
            return _index.Find(key);
        }
    }

    internal int CopyHandlesAfter(QueueKey? after, Span<QueueHandle> destination, IndexCursor? cursor = null)
    {
        lock (_indexLock)
        {
            return _index.CopyAfter(after, destination, cursor);
        }
    }

    internal IReadOnlyList<QueueKey> SplitKeys(QueueKey after, int parts)
    {
        lock (_indexLock)
        {
            return _index.SplitKeys(after, parts);
        }
    }

    internal int IndexedQueues
    {
        get
        {
            lock (_indexLock)
            {
                return _index.Count;
            }
        }
    }

    internal int CopyTopicHandlesAfter(string topic, QueueKey? after, Span<QueueHandle> destination, IndexCursor? cursor = null)
    {
        lock (_indexLock)
        {
            return _topics.CopyAfter(topic, after, destination, cursor);
        }
    }

    internal string[] Mountpoints()
    {
        lock (_indexLock)
        {
            return [.. _mountpoints.Keys];
        }
    }

    private long OldestReaderVersion()
    {
        lock (_snapshotLock)
        {
            var oldest = Volatile.Read(ref _version);
            foreach (var version in _openSnapshots)
            {
                oldest = Math.Min(oldest, version);
            }
            return oldest;
        }
    }

    private void Notify()
    {
        var listeners = _listeners;
        if (listeners.Length > 0)
        {
            var batch = _changes.ToArray();
            foreach (var listener in listeners)
            {
                try
                {
                    listener(batch);
                }
                catch (Exception exception)
                {
                    LogListenerFailed(exception);
                }
            }
        }
        _changes.Clear();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A session change listener failed; the store carried on.")]
    private partial void LogListenerFailed(Exception exception);

    private sealed class Unsubscriber(SessionStore store, Action<IReadOnlyList<SessionChange>> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (store._writeLock)
            {
                store._listeners = [.. store._listeners.Where(l => l != listener)];
            }
        }
    }

    private readonly record struct PendingRemoval(long Version, QueueHandle Handle, string? Topic);

    private static ImmutableArray<T> Single<T>(T item) => [item];
}
