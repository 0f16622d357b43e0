using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

/// <summary>
/// A consistent read of a <see cref="SessionStore"/> at one version: queues changed or created after
/// it was opened are seen as they were, or not at all. Cheap to open; dispose it promptly, since the
/// store keeps older states alive while it is open.
/// </summary>
public sealed class StoreSnapshot : IDisposable
{
    private const int ChunkSize = 256;
    private readonly SessionStore _store;
    private int _disposed;

    internal StoreSnapshot(SessionStore store, long version)
    {
        _store = store;
        Version = version;
    }

    /// <summary>The store version this snapshot reads.</summary>
    public long Version { get; }

    /// <summary>The node name of the store.</summary>
    public string NodeName => _store.NodeName;

    /// <summary>A queue by key, or null.</summary>
    public QueueState? Find(QueueKey key) => _store.FindHandle(key)?.ReadAt(Version);

    /// <summary>The queues with this client id, in every mountpoint, in key order.</summary>
    public IEnumerable<QueueState> FindClient(string clientId)
    {
        foreach (var mountpoint in _store.Mountpoints())
        {
            if (Find(new QueueKey(mountpoint, clientId)) is { } queue)
            {
                yield return queue;
            }
        }
    }

    /// <summary>Every queue in key order (mountpoint, then client id).</summary>
    public IEnumerable<QueueState> Queues() => Walk(_store.CopyHandlesAfter, topic: null, after: null, upTo: null);

    /// <summary>
    /// The queues with keys after <paramref name="after"/> (all when null) up to and including
    /// <paramref name="upTo"/> (to the end when null), in key order.
    /// </summary>
    internal IEnumerable<QueueState> Queues(QueueKey? after, QueueKey? upTo) => Walk(_store.CopyHandlesAfter, topic: null, after, upTo);

    /// <summary>
    /// Keys that cut the queues after <paramref name="after"/> into about <paramref name="parts"/> ranges
    /// of similar size, ascending: range i runs from key i-1 (exclusive) to key i (inclusive), the last to the end.
    /// </summary>
    internal IReadOnlyList<QueueKey> SplitKeys(QueueKey after, int parts) => _store.SplitKeys(after, parts);

    /// <summary>How many queues the store indexes now (those of this version, give or take concurrent writes).</summary>
    internal int ApproximateQueueCount => _store.IndexedQueues;

    /// <summary>The queues subscribed with exactly this topic filter, in key order.</summary>
    public IEnumerable<QueueState> QueuesWithTopic(string topic) =>
        Walk((after, destination, cursor) => _store.CopyTopicHandlesAfter(topic, after, destination, cursor), topic, after: null, upTo: null);

    private delegate int CopyAfter(QueueKey? after, Span<QueueHandle> destination, IndexCursor cursor);

    /// <summary>Reads an index a chunk at a time (a short lock each), seeing each queue as of this version.</summary>
    private IEnumerable<QueueState> Walk(CopyAfter copy, string? topic, QueueKey? after, QueueKey? upTo)
    {
        var buffer = new QueueHandle[ChunkSize];
        var cursor = new IndexCursor();
        while (true)
        {
            var count = copy(after, buffer, cursor);
            if (count == 0)
            {
                yield break;
            }
            var end = count;
            if (upTo is { } last && buffer[count - 1].Key.CompareTo(last) > 0)
            {
                // Keys ascend: the chunk's last key is past the range, so the range ends in this chunk.
                end = 0;
                while (end < count && buffer[end].Key.CompareTo(last) <= 0)
                {
                    end++;
                }
            }
            for (var i = 0; i < end; i++)
            {
                // The topic index may still hold a queue that unsubscribed after this version was read.
                if (buffer[i].ReadAt(Version) is { } queue && (topic is null || SessionStore.FindTopic(queue.Subscriptions, topic) >= 0))
                {
                    yield return queue;
                }
            }
            if (end < count)
            {
                yield break;
            }
            after = buffer[count - 1].Key;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _store.CloseSnapshot(Version);
        }
    }
}
