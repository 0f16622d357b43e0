using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

/// <summary>
/// Queue handles sorted by key, kept as a list of small sorted chunks: inserts and removals move at
/// most one chunk, lookups are two binary searches, and readers copy out one chunk at a time so a
/// writer never waits long. Chunks start small and grow, so a handful of handles (a topic's
/// subscribers) costs little. Not thread-safe; the store guards it with its index lock.
/// </summary>
internal sealed class SortedQueueIndex
{
    private const int ChunkCapacity = 256;

    private readonly List<Chunk> _chunks = [];

    // Changes whenever a handle is inserted or removed, so a cursor knows its position still holds.
    private int _stamp;

    public int Count { get; private set; }

    public QueueHandle? Find(QueueKey key)
    {
        var chunkIndex = FindChunk(key);
        if (chunkIndex == _chunks.Count)
        {
            return null;
        }
        var chunk = _chunks[chunkIndex];
        var position = chunk.Search(key);
        return position >= 0 ? chunk.Items[position] : null;
    }

    public void Insert(QueueHandle handle)
    {
        if (!TryInsert(handle))
        {
            throw new InvalidOperationException($"Queue {handle.Key} is already indexed.");
        }
    }

    /// <summary>Inserts the handle unless its key is indexed already (one search for both).</summary>
    public bool TryInsert(QueueHandle handle)
    {
        if (_chunks.Count == 0)
        {
            _stamp++;
            var first = new Chunk();
            first.InsertAt(0, handle);
            _chunks.Add(first);
            Count++;
            return true;
        }
        var chunkIndex = Math.Min(FindChunk(handle.Key), _chunks.Count - 1);
        var chunk = _chunks[chunkIndex];
        var position = chunk.Search(handle.Key);
        if (position >= 0)
        {
            return false;
        }
        _stamp++;
        chunk.InsertAt(~position, handle);
        Count++;
        if (chunk.Count == ChunkCapacity)
        {
            _chunks.Insert(chunkIndex + 1, chunk.SplitUpperHalf());
        }
        return true;
    }

    public bool Remove(QueueKey key)
    {
        _stamp++;
        var chunkIndex = FindChunk(key);
        if (chunkIndex == _chunks.Count)
        {
            return false;
        }
        var chunk = _chunks[chunkIndex];
        var position = chunk.Search(key);
        if (position < 0)
        {
            return false;
        }
        chunk.RemoveAt(position);
        Count--;
        if (chunk.Count == 0)
        {
            _chunks.RemoveAt(chunkIndex);
        }
        return true;
    }

    /// <summary>
    /// Copies handles in key order, starting after <paramref name="after"/> (or at the first when null),
    /// into <paramref name="destination"/>; returns how many were copied (0 at the end). With a
    /// <paramref name="cursor"/> from the previous call of the same walk, and the index unchanged since,
    /// the copy continues where that one stopped instead of searching for the key again: the two binary
    /// searches touch a dozen cold objects, a large share of a full scan's time under the index lock.
    /// </summary>
    public int CopyAfter(QueueKey? after, Span<QueueHandle> destination, IndexCursor? cursor = null)
    {
        int chunkIndex = 0, position = 0;
        if (cursor is not null && ReferenceEquals(cursor.Index, this) && cursor.Stamp == _stamp)
        {
            (chunkIndex, position) = (cursor.Chunk, cursor.Position);
        }
        else if (after is { } key)
        {
            chunkIndex = FindChunk(key);
            if (chunkIndex == _chunks.Count)
            {
                return 0;
            }
            var found = _chunks[chunkIndex].Search(key);
            position = found >= 0 ? found + 1 : ~found;
        }
        var copied = 0;
        while (copied < destination.Length && chunkIndex < _chunks.Count)
        {
            var chunk = _chunks[chunkIndex];
            var take = Math.Min(chunk.Count - position, destination.Length - copied);
            chunk.Items.AsSpan(position, take).CopyTo(destination[copied..]);
            copied += take;
            position += take;
            if (position == chunk.Count)
            {
                chunkIndex++;
                position = 0;
            }
        }
        if (cursor is not null)
        {
            (cursor.Index, cursor.Stamp, cursor.Chunk, cursor.Position) = (this, _stamp, chunkIndex, position);
        }
        return copied;
    }

    /// <summary>
    /// Up to <paramref name="parts"/> - 1 keys after <paramref name="after"/>, ascending, that cut the
    /// handles after it into ranges of about equal numbers of chunks (each key is a chunk's last).
    /// </summary>
    public List<QueueKey> SplitKeys(QueueKey after, int parts)
    {
        var keys = new List<QueueKey>(Math.Max(parts - 1, 0));
        var first = FindChunk(after);
        var chunks = _chunks.Count - first;
        for (var part = 1; part < parts && chunks > 0; part++)
        {
            var chunk = _chunks[first + (int)((long)chunks * part / parts)];
            var key = chunk.Last;
            if (key.CompareTo(after) > 0 && (keys.Count == 0 || key.CompareTo(keys[^1]) > 0))
            {
                keys.Add(key);
            }
        }
        return keys;
    }

    /// <summary>Index of the first chunk whose last key is at least <paramref name="key"/>; Count when none.</summary>
    private int FindChunk(QueueKey key)
    {
        int low = 0, high = _chunks.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (_chunks[middle].Last.CompareTo(key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return low;
    }

    private sealed class Chunk
    {
        private const int InitialCapacity = 4;

        public QueueHandle[] Items { get; private set; } = new QueueHandle[InitialCapacity];

        public int Count { get; private set; }

        public int Search(QueueKey key)
        {
            int low = 0, high = Count - 1;
            while (low <= high)
            {
                var middle = (low + high) >>> 1;
                var order = Items[middle].Key.CompareTo(key);
                if (order == 0)
                {
                    return middle;
                }
                if (order < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }
            return ~low;
        }

        /// <summary>The key of the last handle, kept here so a search over chunks reads one object per step.</summary>
        public QueueKey Last { get; private set; }

        public void InsertAt(int position, QueueHandle handle)
        {
            if (Count == Items.Length)
            {
                var grown = new QueueHandle[Math.Min(Items.Length * 2, ChunkCapacity)];
                Array.Copy(Items, grown, Count);
                Items = grown;
            }
            Array.Copy(Items, position, Items, position + 1, Count - position);
            Items[position] = handle;
            Count++;
            Last = Items[Count - 1].Key;
        }

        public void RemoveAt(int position)
        {
            Count--;
            Array.Copy(Items, position + 1, Items, position, Count - position);
            Items[Count] = null!;
            Last = Count > 0 ? Items[Count - 1].Key : default;
        }

        public Chunk SplitUpperHalf()
        {
            var half = Count / 2;
            var upper = new Chunk { Items = new QueueHandle[ChunkCapacity] };
            Array.Copy(Items, half, upper.Items, 0, Count - half);
            upper.Count = Count - half;
            upper.Last = Last;
            Array.Clear(Items, half, Count - half);
            Count = half;
            Last = Items[Count - 1].Key;
            return upper;
        }
    }
}

/// <summary>Where a walk of a <see cref="SortedQueueIndex"/> stopped (see <see cref="SortedQueueIndex.CopyAfter"/>).</summary>
internal sealed class IndexCursor
{
    public SortedQueueIndex? Index;
    public int Stamp;
    public int Chunk;
    public int Position;
}
