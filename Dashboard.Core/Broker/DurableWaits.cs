namespace Dashboard.Core.Broker;

/// <summary>
/// Publishers' acknowledgements waiting for the session journal (docs/broker.md, "The durable wait").
/// Every change that must be on disk before the next acknowledgement gets a number in the order it is
/// recorded; an acknowledgement waits until every number up to the last one recorded before it is
/// written, and the journal's writer releases all such waits after each commit.
/// </summary>
public sealed class DurableWaits
{
    private readonly Lock _lock = new();
    private readonly List<(long UpTo, TaskCompletionSource Done)> _waiting = [];
    private long _written;

    /// <summary>The highest number written so far: every change numbered up to it is on disk.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>Completes once every change numbered up to <paramref name="upTo"/> is written; at once when it is.</summary>
    public Task WaitAsync(long upTo)
    {
        if (upTo <= Volatile.Read(ref _written))
        {
            return Task.CompletedTask;
        }
        lock (_lock)
        {
            if (upTo <= _written)
            {
                return Task.CompletedTask;
            }
            // Asynchronous continuations: the writer completing this must not go on to run the broker's
            // packet loop of the connection that waited.
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((upTo, done));
            return done.Task;
        }
    }

    /// <summary>
    /// Called by the journal once every change numbered up to <paramref name="upTo"/> is committed (or
    /// could not be written, docs/persistence.md): releases the waits that need no more.
    /// </summary>
    public void MarkWritten(long upTo)
    {
        TaskCompletionSource[]? release = null;
        lock (_lock)
        {
            if (upTo <= _written)
            {
                return;
            }
            Volatile.Write(ref _written, upTo);
            var count = 0;
            foreach (var (waitUpTo, _) in _waiting)
            {
                count += waitUpTo <= upTo ? 1 : 0;
            }
            if (count == 0)
            {
                return;
            }
            release = new TaskCompletionSource[count];
            var kept = 0;
            count = 0;
            for (var i = 0; i < _waiting.Count; i++)
            {
                var wait = _waiting[i];
                if (wait.UpTo <= upTo)
                {
                    release[count++] = wait.Done;
                }
                else
                {
                    _waiting[kept++] = wait;
                }
            }
            _waiting.RemoveRange(kept, _waiting.Count - kept);
        }
        foreach (var done in release)
        {
            done.TrySetResult();
        }
    }
}
