namespace Dashboard.Core.Store;

/// <summary>Totals of a store at one version.</summary>
/// <param name="Version">The store version they were taken at.</param>
/// <param name="Online">Queues with a session attached.</param>
/// <param name="Offline">Persistent queues without a session.</param>
/// <param name="Subscriptions">Subscriptions over all queues.</param>
/// <param name="QueuedMessages">Messages waiting over all queues.</param>
public sealed record StoreCounters(long Version, long Online, long Offline, long Subscriptions, long QueuedMessages)
{
    /// <summary>All queues.</summary>
    public long Queues => Online + Offline;
}

/// <summary>Totals of one node's queues in a store.</summary>
/// <param name="Node">The node name.</param>
/// <param name="Online">Queues with a session attached.</param>
/// <param name="Offline">Persistent queues without a session.</param>
/// <param name="Subscriptions">Subscriptions over the node's queues.</param>
/// <param name="QueuedMessages">Messages waiting over the node's queues.</param>
public sealed record NodeCounters(string Node, long Online, long Offline, long Subscriptions, long QueuedMessages);
