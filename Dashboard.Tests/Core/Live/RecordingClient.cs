using System.Collections.Concurrent;
using Dashboard.Core.Live;

namespace Dashboard.Tests.Core.Live;

/// <summary>A feed consumer that keeps every message in arrival order.</summary>
internal sealed class RecordingClient : ISessionsClient
{
    public ConcurrentQueue<object> Messages { get; } = new();

    public IReadOnlyList<SessionSnapshotMessage> Snapshots => [.. Messages.OfType<SessionSnapshotMessage>()];

    public IReadOnlyList<SessionChangesMessage> Batches => [.. Messages.OfType<SessionChangesMessage>()];

    public IReadOnlyList<SessionCountersMessage> CounterMessages => [.. Messages.OfType<SessionCountersMessage>()];

    public IReadOnlyList<SessionChangeMessage> ChangesOf(string clientId) =>
        [.. Batches.SelectMany(b => b.Changes).Where(c => c.ClientId == clientId)];

    public Task Snapshot(SessionSnapshotMessage snapshot)
    {
        Messages.Enqueue(snapshot);
        return Task.CompletedTask;
    }

    public Task Changes(SessionChangesMessage changes)
    {
        Messages.Enqueue(changes);
        return Task.CompletedTask;
    }

    public Task Counters(SessionCountersMessage counters)
    {
        Messages.Enqueue(counters);
        return Task.CompletedTask;
    }
}
