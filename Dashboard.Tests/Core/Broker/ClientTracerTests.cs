using Dashboard.Core.Broker;
using Microsoft.Extensions.Time.Testing;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Dashboard.Tests.Core.Broker;

public class ClientTracerTests
{
    private static MqttPublishPacket Publish(string topic, string payload, ushort id = 7) => new()
    {
        Topic = topic,
        PayloadSegment = System.Text.Encoding.UTF8.GetBytes(payload),
        QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
        PacketIdentifier = id,
        Retain = true,
    };

    [Fact]
    public void Start_BeyondTheMostAtOnce_IsRefusedWithAReason_AndStoppingMakesRoom()
    {
        var tracer = new ClientTracer(new TraceLimits(MaxConcurrent: 2));
        using var first = tracer.Start("a", false).Value;
        using var second = tracer.Start("b", false).Value;

        var third = tracer.Start("c", false);

        Assert.False(third.IsSuccess);
        Assert.Equal("2 traces are running on this node, the most allowed at once; stop one or wait for it to end.", third.Error);
        first.Stop();
        Assert.Equal(1, tracer.Running);
        Assert.True(tracer.Start("c", false).IsSuccess);
    }

    [Fact]
    public void Record_OnlyTheTracedClient_InOrder_WithPayloadOnlyWhenAsked()
    {
        var tracer = new ClientTracer(new TraceLimits());
        using var withPayload = tracer.Start("a", withPayloads: true).Value;
        using var without = tracer.Start("a", withPayloads: false).Value;

        tracer.Record("a", TraceDirection.In, Publish("t/1", "hello"), 14);
        tracer.Record("other", TraceDirection.In, Publish("t/2", "no"), 11);
        tracer.Record("a", TraceDirection.Out, new MqttPubAckPacket { PacketIdentifier = 7, ReasonCode = MqttPubAckReasonCode.Success }, 4);

        Assert.True(withPayload.Packets.TryRead(out var publish));
        Assert.Equal((TraceDirection.In, "PUBLISH", 7, "t/1", "1", "retain", 14L, "hello"),
            (publish.Direction, publish.Type, publish.PacketId, publish.Topic, publish.Qos, publish.Flags, publish.Size, publish.Payload?.Text));
        Assert.True(withPayload.Packets.TryRead(out var ack));
        Assert.Equal((TraceDirection.Out, "PUBACK", 7, "Success", 4L), (ack.Direction, ack.Type, ack.PacketId, ack.Reasons, ack.Size));
        Assert.False(withPayload.Packets.TryRead(out _));
        Assert.True(without.Packets.TryRead(out var plain));
        Assert.Null(plain.Payload);
    }

    [Fact]
    public void Trace_StopsAtItsPacketLimit_AndAtItsTimeLimit()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var tracer = new ClientTracer(new TraceLimits(MaxPackets: 2, MaxDuration: TimeSpan.FromMinutes(1)), time);
        var counted = tracer.Start("a", false).Value;
        var timed = tracer.Start("b", false).Value;

        for (var i = 0; i < 3; i++)
        {
            tracer.Record("a", TraceDirection.In, new MqttPingReqPacket(), 2);
        }
        time.Advance(TimeSpan.FromMinutes(1));
        tracer.Record("b", TraceDirection.In, new MqttPingReqPacket(), 2);

        Assert.Equal((TraceEnd.PacketLimit, 2), (counted.End, counted.Count));
        Assert.Equal((TraceEnd.TimeLimit, 0), (timed.End, timed.Count));
        Assert.Equal(0, tracer.Running);
        Assert.True(counted.Packets.Completion.IsCompleted || counted.Packets.Count == 2);
    }

    [Fact]
    public void Describe_SubscribeAndConnAck_NameTheirFiltersAndReasons()
    {
        var subscribe = new MqttSubscribePacket
        {
            PacketIdentifier = 3,
            TopicFilters = [new MqttTopicFilter { Topic = "a/#", QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce }, new MqttTopicFilter { Topic = "b" }],
        };
        var described = PacketDescription.Describe(subscribe, TraceDirection.In, 20, DateTimeOffset.UnixEpoch, false);
        Assert.Equal(("SUBSCRIBE", 3, "a/#, b", "1, 0"), (described.Type, described.PacketId, described.Topic, described.Qos));

        var connAck = PacketDescription.Describe(new MqttConnAckPacket { ReasonCode = MqttConnectReasonCode.Banned, IsSessionPresent = false },
            TraceDirection.Out, 5, DateTimeOffset.UnixEpoch, false);
        Assert.Equal(("CONNACK", "Banned", ""), (connAck.Type, connAck.Reasons, connAck.Flags));
    }
}
