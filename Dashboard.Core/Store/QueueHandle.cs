using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

/// <summary>
/// The stable home of one queue in the store. Its state is replaced, never mutated, and older states
/// stay linked while a snapshot may need them (multi-version reads without locks).
/// </summary>
internal sealed class QueueHandle(QueueKey key)
{
    private QueueState? _state;

    public QueueKey Key { get; } = key;

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
