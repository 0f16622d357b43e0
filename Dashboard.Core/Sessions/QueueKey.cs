namespace Dashboard.Core.Sessions;

/// <summary>Identifies a queue on a node: a client id within a mountpoint.</summary>
/// <param name="Mountpoint">The mountpoint; <c>""</c> for the default one.</param>
/// <param name="ClientId">The MQTT client id.</param>
public readonly record struct QueueKey(string Mountpoint, string ClientId) : IComparable<QueueKey>
{
    /// <summary>Orders by mountpoint, then client id, both ordinally: the stable row order of spec §2.</summary>
    public int CompareTo(QueueKey other)
    {
        var byMountpoint = string.CompareOrdinal(Mountpoint, other.Mountpoint);
        return byMountpoint != 0 ? byMountpoint : string.CompareOrdinal(ClientId, other.ClientId);
    }

    /// <inheritdoc />
    public override string ToString() => Mountpoint.Length == 0 ? ClientId : $"{Mountpoint}/{ClientId}";
}
