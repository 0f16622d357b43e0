namespace Dashboard.Core.Broker;

/// <summary>What the translator remembers of one client to pair broker events with queued messages.</summary>
internal sealed class ClientTrack(int protocol, bool cleanStart, uint sessionExpiry)
{
    public int Protocol { get; } = protocol;

    public bool CleanStart { get; } = cleanStart;

    public uint SessionExpiry { get; } = sessionExpiry;

    public string? PeerKey { get; set; }

    public Dictionary<string, int> Subscriptions { get; } = new(StringComparer.Ordinal);

    public List<TrackedMessage> Messages { get; } = [];

    public int WaitingAcks { get; set; }

    /// <summary>The queue outlives the connection: MQTT 5 by session expiry, 3.x by clean session.</summary>
    public bool KeepsQueue(uint disconnectExpiry) =>
        Protocol == 5 ? (disconnectExpiry != 0 ? disconnectExpiry : SessionExpiry) != 0 : !CleanStart;

    public bool IsClean => Protocol == 5 ? SessionExpiry == 0 : CleanStart;

    /// <summary>The first queued message not yet sent with this topic and payload.</summary>
    public int FindWaiting(string topic, int payloadHash, int payloadLength)
    {
        var messages = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Messages);
        for (var i = 0; i < messages.Length; i++)
        {
            var m = messages[i];
            if (!m.InFlight && m.PayloadHash == payloadHash && m.PayloadLength == payloadLength && m.Topic == topic)
            {
                return i;
            }
        }
        return -1;
    }

    public int FindInFlight(ushort packetId)
    {
        var messages = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Messages);
        for (var i = 0; i < messages.Length; i++)
        {
            if (messages[i].InFlight && messages[i].PacketId == packetId)
            {
                return i;
            }
        }
        return -1;
    }
}

internal sealed class TrackedMessage(string msgRef, string topic, int qos, int payloadHash, int payloadLength)
{
    public string MsgRef { get; } = msgRef;

    public string Topic { get; } = topic;

    public int Qos { get; } = qos;

    public int PayloadHash { get; } = payloadHash;

    public int PayloadLength { get; } = payloadLength;

    public bool InFlight { get; set; }

    public ushort PacketId { get; set; }
}
