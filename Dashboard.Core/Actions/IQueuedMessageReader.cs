using Dashboard.Core.Sessions;

namespace Dashboard.Core.Actions;

/// <summary>
/// Reads one session's queued messages from the broker on demand, for a mirror that counts a queue's
/// messages without listing them (<see cref="QueueState.UnlistedMessages"/>: listing them costs a
/// VerneMQ cluster a walk of every queue, so its full reads skip it on a large cluster). Only a mirrored
/// source has one; the embedded broker always lists its messages.
/// </summary>
public interface IQueuedMessageReader
{
    /// <summary>
    /// Reads the session's queue with its messages from the broker and applies it to the store, so that
    /// everything reading the store lists them.
    /// </summary>
    /// <returns>How many messages the session now lists; null when the broker has no such session.</returns>
    /// <exception cref="ActionFailedException">The broker could not be asked; the message says why.</exception>
    Task<int?> ReadQueuedMessagesAsync(QueueKey key, CancellationToken cancellationToken = default);
}
