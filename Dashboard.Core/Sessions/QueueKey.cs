namespace Dashboard.Core.Sessions;

/// <summary>Identifies a queue on a node: a client id within a mountpoint.</summary>
/// <param name="Mountpoint">The mountpoint; <c>""</c> for the default one.</param>
/// <param name="ClientId">The MQTT client id.</param>
public readonly record struct QueueKey(string Mountpoint, string ClientId) : IComparable<QueueKey>
{
    /// <summary>
    /// The stable row order of spec §2: mountpoint ascending, then client id descending (ordinal).
    /// </summary>
    /// <remarks>
    /// The spec fixes the keys, not the direction. Client ids run descending because that is the one
    /// explicit order that reproduces every seed table (client2 before client1, each client's topics
    /// ascending), and the first seed table must come out byte for byte.
    /// </remarks>
    public int CompareTo(QueueKey other)
    {
        var byMountpoint = string.CompareOrdinal(Mountpoint, other.Mountpoint);
        return byMountpoint != 0 ? byMountpoint : string.CompareOrdinal(other.ClientId, ClientId);
    }

    /// <inheritdoc />
    public override string ToString() => Mountpoint.Length == 0 ? ClientId : $"{Mountpoint}/{ClientId}";
}
