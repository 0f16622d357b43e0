using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

/// <summary>
/// The stable home of one queue in the store. Its state is replaced, never mutated, and older states
/// stay linked while a snapshot may need them (multi-version reads without locks).
/// </summary>
/// <remarks>
/// The store allocates handles in blocks (<see cref="Block"/>), so that they sit next to each other in
/// the heap rather than among their queues' other objects. Every write stores a new state into an old
/// handle, and the garbage collector then re-reads the memory around each handle written since its last
/// young collection: packed handles make that a few cache lines per handle instead of a walk through a
/// whole brick of unrelated objects (docs/store.md, "Garbage collection").
/// </remarks>
internal sealed class QueueHandle
{
    private QueueState? _state;

    private QueueHandle()
    {
    }

    public QueueHandle(QueueKey key) => Key = key;

    /// <summary>The queue's key; set once, before the handle is indexed.</summary>
    public QueueKey Key { get; private set; }

    /// <summary><paramref name="count"/> handles allocated one after the other, for <see cref="Assign"/>.</summary>
    public static QueueHandle[] Block(int count)
    {
        var block = new QueueHandle[count];
        for (var i = 0; i < block.Length; i++)
        {
            block[i] = new QueueHandle();
        }
        return block;
    }

    /// <summary>Gives a handle from a <see cref="Block"/> its queue.</summary>
    public QueueHandle Assign(QueueKey key)
    {
        Key = key;
        return this;
    }

    public QueueState? Current => Volatile.Read(ref _state);

    public void Publish(QueueState state) => Volatile.Write(ref _state, state);

    /// <summary>The state as of <paramref name="version"/>; null if the queue did not exist then.</summary>
    public QueueState? ReadAt(long version)
    {
        var state = Volatile.Read(ref _state);
        while (state is not null && state.Version > version)
        {
            state = state.Older;
        }
        return state is null || state.IsRemoved ? null : state;
    }
}
