using System.Globalization;
using System.Text;
using Dashboard.Core.Output;
using MQTTnet.Packets;

namespace Dashboard.Core.Broker;

/// <summary>Which way a traced packet went.</summary>
public enum TraceDirection
{
    /// <summary>From the client to the broker.</summary>
    In,
    /// <summary>From the broker to the client.</summary>
    Out,
}

/// <summary>One MQTT packet of a traced client, as the trace shows it (docs/operator-tools.md).</summary>
/// <param name="At">When the broker read or wrote it.</param>
/// <param name="Direction">Which way it went.</param>
/// <param name="Type">CONNECT, PUBLISH, SUBACK, ...</param>
/// <param name="PacketId">The packet identifier, where the packet has one.</param>
/// <param name="Topic">The topic (PUBLISH) or topic filters (SUBSCRIBE, UNSUBSCRIBE), comma-separated.</param>
/// <param name="Qos">The QoS of a PUBLISH, or the requested QoS of each filter of a SUBSCRIBE.</param>
/// <param name="Flags">Flags and the like: dup, retain, clean start, session present, keep alive.</param>
/// <param name="Reasons">Reason codes, by name.</param>
/// <param name="Size">Bytes on the wire (as the connection counted them).</param>
/// <param name="Payload">The payload preview, only when the trace was started with payloads.</param>
public sealed record TracedPacket(
    DateTimeOffset At, TraceDirection Direction, string Type, int? PacketId, string? Topic, string? Qos,
    string Flags, string? Reasons, long Size, PayloadPreview? Payload);

/// <summary>Turns MQTTnet's packets into <see cref="TracedPacket"/>s.</summary>
public static class PacketDescription
{
    /// <summary>Bytes of payload a trace shows at most.</summary>
    public const int PayloadBytes = 256;

    /// <summary>Describes a packet; the payload only when <paramref name="withPayload"/>.</summary>
    public static TracedPacket Describe(MqttPacket packet, TraceDirection direction, long size, DateTimeOffset at, bool withPayload)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var id = packet is MqttPacketWithIdentifier { PacketIdentifier: > 0 } withId ? withId.PacketIdentifier : (int?)null;
        return packet switch
        {
            MqttConnectPacket connect => new(at, direction, "CONNECT", null, null, null,
                Join(connect.CleanSession ? "clean" : "persistent", $"keep alive {connect.KeepAlivePeriod}s",
                    connect.Username is { Length: > 0 } ? "user" : null, connect.WillFlag ? "will" : null),
                null, size, null),
            MqttConnAckPacket ack => new(at, direction, "CONNACK", null, null, null,
                ack.IsSessionPresent ? "session present" : "", ack.ReasonCode.ToString(), size, null),
            MqttPublishPacket publish => new(at, direction, "PUBLISH", id, publish.Topic,
                ((int)publish.QualityOfServiceLevel).ToString(CultureInfo.InvariantCulture),
                Join(publish.Dup ? "dup" : null, publish.Retain ? "retain" : null), null, size,
                withPayload ? Preview(publish.Payload) : null),
            MqttPubAckPacket ack => new(at, direction, "PUBACK", id, null, null, "", ack.ReasonCode.ToString(), size, null),
            MqttPubRecPacket rec => new(at, direction, "PUBREC", id, null, null, "", rec.ReasonCode.ToString(), size, null),
            MqttPubRelPacket rel => new(at, direction, "PUBREL", id, null, null, "", rel.ReasonCode.ToString(), size, null),
            MqttPubCompPacket comp => new(at, direction, "PUBCOMP", id, null, null, "", comp.ReasonCode.ToString(), size, null),
            MqttSubscribePacket subscribe => new(at, direction, "SUBSCRIBE", id,
                string.Join(", ", subscribe.TopicFilters.Select(f => f.Topic)),
                string.Join(", ", subscribe.TopicFilters.Select(f => ((int)f.QualityOfServiceLevel).ToString(CultureInfo.InvariantCulture))),
                "", null, size, null),
            MqttSubAckPacket ack => new(at, direction, "SUBACK", id, null, null, "", string.Join(", ", ack.ReasonCodes), size, null),
            MqttUnsubscribePacket unsubscribe => new(at, direction, "UNSUBSCRIBE", id, string.Join(", ", unsubscribe.TopicFilters), null, "", null, size, null),
            MqttUnsubAckPacket ack => new(at, direction, "UNSUBACK", id, null, null, "", ack.ReasonCodes is { } codes ? string.Join(", ", codes) : null, size, null),
            MqttPingReqPacket => new(at, direction, "PINGREQ", null, null, null, "", null, size, null),
            MqttPingRespPacket => new(at, direction, "PINGRESP", null, null, null, "", null, size, null),
            MqttDisconnectPacket disconnect => new(at, direction, "DISCONNECT", null, null, null, "", disconnect.ReasonCode.ToString(), size, null),
            MqttAuthPacket auth => new(at, direction, "AUTH", null, null, null, "", auth.ReasonCode.ToString(), size, null),
            _ => new(at, direction, packet.GetType().Name, id, null, null, "", null, size, null),
        };
    }

    private static PayloadPreview Preview(System.Buffers.ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            return PayloadPreview.Of(payload.FirstSpan, PayloadBytes);
        }
        // Only the shown bytes are copied; the length is the whole payload's.
        var shown = System.Buffers.BuffersExtensions.ToArray(payload.Slice(0, Math.Min(payload.Length, PayloadBytes + 4)));
        var preview = PayloadPreview.Of(shown, PayloadBytes);
        return preview with { Length = (int)Math.Min(int.MaxValue, payload.Length), Truncated = payload.Length > PayloadBytes };
    }

    private static string Join(params string?[] parts)
    {
        var text = new StringBuilder();
        foreach (var part in parts)
        {
            if (part is { Length: > 0 })
            {
                text.Append(text.Length > 0 ? ", " : "").Append(part);
            }
        }
        return text.ToString();
    }
}
