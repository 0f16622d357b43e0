namespace Dashboard.Core.Sessions;

/// <summary>Identifies a queue on a node: a client id within a mountpoint.</summary>
/// <param name="Mountpoint">The mountpoint; <c>""</c> for the default one.</param>
/// <param name="ClientId">The MQTT client id.</param>
public readonly record struct QueueKey(string Mountpoint, string ClientId) : IComparable<QueueKey>
{
    /// <summary>
    /// The stable row order within a node (docs/query-language.md#row-order): mountpoint ascending, then
    /// client id descending (ordinal).
    /// </summary>
    /// <remarks>
    /// VerneMQ's own order is an accident of its tables, so any fixed order would do. Client ids run
    /// descending because that is the one explicit order that lists the rows of VerneMQ's documentation
    /// examples as printed there (client2 before client1, each client's topics ascending), and the first
    /// of them must come out byte for byte.
    /// </remarks>
    public int CompareTo(QueueKey other)
    {
        var byMountpoint = string.CompareOrdinal(Mountpoint, other.Mountpoint);
        return byMountpoint != 0 ? byMountpoint : string.CompareOrdinal(other.ClientId, ClientId);
    }

    /// <inheritdoc />
    public override string ToString() => Mountpoint.Length == 0 ? ClientId : $"{Mountpoint}/{ClientId}";
}
