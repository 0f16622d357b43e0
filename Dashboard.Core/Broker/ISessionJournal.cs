using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using MQTTnet;

namespace Dashboard.Core.Broker;

/// <summary>
/// Where the <see cref="SessionTracker"/> hands what must survive a restart of the embedded broker
/// (docs/persistence.md): the session changes it applied to the store, retained-message changes, and
/// the waits of publishers' acknowledgements.
/// </summary>
public interface ISessionJournal
{
    /// <summary>
    /// Takes one batch, in the order the broker recorded it. Called on the tracker's consumer after the
    /// batch reached the store; completes late while the journal is behind (back-pressure).
    /// </summary>
    /// <param name="changes">The store events of the batch (the journal keeps the array).</param>
    /// <param name="retained">Retained-message changes of the batch.</param>
    /// <param name="durable">To mark once the batch and everything before it is written (or could not be written).</param>
    ValueTask AppendAsync(StoreEvent[] changes, RetainedChange[] retained, DurableMark durable);
}

/// <summary>
/// How far the durable changes go once a batch is written: every change numbered up to
/// <see cref="UpTo"/> is in it or in a batch before it.
/// </summary>
/// <param name="Waits">The acknowledgements waiting for the journal.</param>
/// <param name="UpTo">The highest durable change number the batch completes.</param>
public readonly record struct DurableMark(DurableWaits? Waits, long UpTo)
{
    /// <summary>Releases the acknowledgements that waited for this batch.</summary>
    public void Written() => Waits?.MarkWritten(UpTo);
}

/// <summary>A retained message set or cleared; <see cref="Topic"/> null when every retained message was cleared.</summary>
/// <param name="Topic">Its topic.</param>
/// <param name="Message">The message; null when the topic's retained message was removed.</param>
public sealed record RetainedChange(string? Topic, MqttApplicationMessage? Message);

/// <summary>A persistent session read back from disk, to be put in the store as it was before the restart.</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="Protocol">3, 4 or 5: the protocol of the client's last connection.</param>
/// <param name="StartedAt">When its queue was created, Unix epoch milliseconds (shown as <c>queue_started_at</c>).</param>
/// <param name="SessionExpiry">Seconds the session outlives its connection; <see cref="uint.MaxValue"/> for ever.</param>
/// <param name="Subscriptions">Its subscriptions.</param>
/// <param name="Messages">Its queued messages, oldest first, with the <c>msg_ref</c>s they had.</param>
public sealed record RestoredSession(
    string ClientId,
    int Protocol,
    long StartedAt,
    uint SessionExpiry,
    IReadOnlyList<Subscription> Subscriptions,
    IReadOnlyList<QueuedMessage> Messages)
{
    /// <summary>The user name of its last connection.</summary>
    public string? User { get; init; }
}
