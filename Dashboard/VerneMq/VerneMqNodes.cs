namespace Dashboard.VerneMq;

/// <summary>What the dashboard knows of one VerneMQ node.</summary>
/// <param name="Name">The node name (<c>vmq1@10.0.0.1</c>); the configured URL while it is not yet known.</param>
/// <param name="Url">Its HTTP listener, when configured.</param>
/// <param name="Reachable">Whether the last check reached it (its API, or the cluster says it runs).</param>
/// <param name="Since">When it became reachable or unreachable.</param>
/// <param name="LastGoodRead">When its sessions were last read in full; its rows are as of then.</param>
/// <param name="HooksRegistered">Whether the dashboard's webhooks are registered on it (live updates).</param>
/// <param name="Problem">Why it is not fully watched, in words for an operator; null when all is well.</param>
public sealed record VerneMqNodeStatus(
    string Name, Uri? Url, bool Reachable, DateTimeOffset Since, DateTimeOffset? LastGoodRead, bool HooksRegistered, string? Problem);

/// <summary>
/// The health of the cluster's nodes, for the pages and the wall. Written by the source, read by
/// anyone; <see cref="Changed"/> fires after each check that changed something.
/// </summary>
public sealed class VerneMqNodes
{
    private IReadOnlyList<VerneMqNodeStatus> _nodes = [];

    /// <summary>Every node known: configured, or named by the cluster, in name order.</summary>
    public IReadOnlyList<VerneMqNodeStatus> Nodes => Volatile.Read(ref _nodes);

    /// <summary>Raised after the node list changed; handlers must be quick.</summary>
    public event Action? Changed;

    internal void Publish(IReadOnlyList<VerneMqNodeStatus> nodes)
    {
        var ordered = nodes.OrderBy(n => n.Name, StringComparer.Ordinal).ToArray();
        if (ordered.SequenceEqual(Nodes))
        {
            return;
        }
        Volatile.Write(ref _nodes, ordered);
        Changed?.Invoke();
    }
}
