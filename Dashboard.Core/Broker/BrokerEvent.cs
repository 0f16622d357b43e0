using System.Net;

namespace Dashboard.Core.Broker;

/// <summary>What a broker handler recorded, to be turned into store events off the packet path.</summary>
internal abstract record BrokerEvent(string ClientId)
{
    /// <summary>
    /// Above 0 for a change the journal must write before the next acknowledgement to a publisher: its
    /// number in the order such changes were recorded (set before the event enters the tracker's channel).
    /// </summary>
    public long DurableNumber { get; set; }
}

internal sealed record ConnectFlags(string ClientId, bool CleanStart, uint SessionExpiry) : BrokerEvent(ClientId);

internal sealed record Connected(string ClientId, string? User, EndPoint? Peer, int Protocol) : BrokerEvent(ClientId);

internal sealed record Disconnected(string ClientId, EndPoint? Peer, bool Takeover, uint DisconnectExpiry) : BrokerEvent(ClientId);

internal sealed record Subscribed(string ClientId, string Topic, int Qos, bool RetainAsPublished, bool NoLocal) : BrokerEvent(ClientId);

internal sealed record Unsubscribed(string ClientId, string Topic) : BrokerEvent(ClientId);

/// <summary>A message is about to enter the client's queue (recorded before the broker can send it).</summary>
internal sealed record Enqueuing(string ClientId, string Topic, int Qos, byte[] Payload) : BrokerEvent(ClientId);

/// <summary>The broker dropped the oldest queued message of a full queue.</summary>
internal sealed record Overwritten(string ClientId, string Topic, int PayloadHash, int PayloadLength) : BrokerEvent(ClientId);

/// <summary>A PUBLISH is going out to the client.</summary>
internal sealed record Sending(string ClientId, string Topic, int Qos, ushort PacketId, int PayloadHash, int PayloadLength) : BrokerEvent(ClientId);

/// <summary>The client acknowledged a PUBLISH (PUBACK, PUBREC or PUBCOMP).</summary>
internal sealed record Acknowledged(string ClientId, ushort PacketId, bool Completed) : BrokerEvent(ClientId);

internal sealed record SessionGone(string ClientId) : BrokerEvent(ClientId);

/// <summary>Completes once every event recorded before it has reached the store.</summary>
internal sealed record Barrier(TaskCompletionSource Done) : BrokerEvent("");

/// <summary>A persistent session read back from disk at start (docs/persistence.md).</summary>
internal sealed record Restored(RestoredSession Session) : BrokerEvent(Session.ClientId);

/// <summary>A retained message changed; goes to the journal only.</summary>
internal sealed record RetainedChanged(RetainedChange Change) : BrokerEvent("");
