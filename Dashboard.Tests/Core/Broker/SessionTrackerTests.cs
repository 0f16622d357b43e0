using System.Net;
using System.Text;
using Dashboard.Core.Broker;
using Dashboard.Core.Sessions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.Tests.Core.Broker;

public class SessionTrackerTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task PublishAsync(BrokerHarness broker, string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        var publisher = await broker.ConnectAsync($"pub-{Guid.NewGuid():N}", clean: true);
        await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build(), Cancel);
        await publisher.DisconnectAsync(cancellationToken: Cancel);
    }

    [Fact]
    public async Task Connect_PersistentClient_StoreHasWhatTheBrokerHas()
    {
        await using var broker = await BrokerHarness.StartAsync();
        await broker.ConnectAsync(broker.Options("dev-1").WithCredentials("alice", "secret").Build());

        var queue = await broker.WaitForAsync("dev-1", q => q is { IsOnline: true }, "dev-1 is online");

        var status = Assert.Single(await broker.Server.GetClientsAsync());
        var peer = (IPEndPoint)status.RemoteEndPoint;
        var session = Assert.Single(queue!.Sessions);
        Assert.Equal(("alice", "127.0.0.1", peer.Port, 4), (session.User, session.PeerHost, session.PeerPort, session.Protocol));
        Assert.False(queue.CleanSession);
    }

    [Fact]
    public async Task Subscribe_Mqtt5Options_AreRecorded_Mqtt3HaveNone()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var v5 = await broker.ConnectAsync(broker.Options("v5", MqttProtocolVersion.V500).WithSessionExpiryInterval(300).Build());
        var v3 = await broker.ConnectAsync("v3", MqttProtocolVersion.V310);

        await v5.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("a/+").WithAtLeastOnceQoS().WithRetainAsPublished().WithNoLocal())
            .WithTopicFilter(f => f.WithTopic("b/#").WithExactlyOnceQoS())
            .Build(), Cancel);
        await v3.SubscribeAsync("c", MqttQualityOfServiceLevel.AtMostOnce, Cancel);

        var v5Queue = await broker.WaitForAsync("v5", q => q?.Subscriptions.Length == 2, "v5 has two subscriptions");
        var v3Queue = await broker.WaitForAsync("v3", q => q?.Subscriptions.Length == 1, "v3 has one subscription");
        Assert.Equal([new Subscription("a/+", 1, true, true), new Subscription("b/#", 2, false, false)], v5Queue!.Subscriptions);
        Assert.Equal([new Subscription("c", 0)], v3Queue!.Subscriptions);
        Assert.Equal(3, v3Queue.Sessions[0].Protocol);
        Assert.False(v5Queue.CleanSession);
    }

    [Fact]
    public async Task Unsubscribe_RemovesTheSubscription()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var client = await broker.ConnectAsync("c1");
        await client.SubscribeAsync("a", cancellationToken: Cancel);
        await client.SubscribeAsync("b", cancellationToken: Cancel);

        await client.UnsubscribeAsync("a", Cancel);

        await broker.WaitForAsync("c1", q => q?.Subscriptions.Select(s => s.Topic).SequenceEqual(["b"]) == true, "only b is left");
    }

    [Fact]
    public async Task Disconnect_CleanSession_RemovesQueue_Persistent_GoesOffline()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var clean = await broker.ConnectAsync("clean", clean: true);
        var persistent = await broker.ConnectAsync("persistent");
        await persistent.SubscribeAsync("x", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await broker.WaitForAsync("persistent", q => q?.Subscriptions.Length == 1, "subscribed");

        await clean.DisconnectAsync(cancellationToken: Cancel);
        await persistent.DisconnectAsync(cancellationToken: Cancel);

        await broker.WaitForAsync("clean", q => q is null, "the clean session's queue is gone");
        var offline = await broker.WaitForAsync("persistent", q => q is { IsOnline: false }, "persistent is offline");
        Assert.Equal("x", Assert.Single(offline!.Subscriptions).Topic);
    }

    [Fact]
    public async Task Publish_ToOfflinePersistentClient_IsQueuedWithPayload_ThenDeliveredOnReconnect()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var client = await broker.ConnectAsync("sleepy");
        await client.SubscribeAsync("with/wildcard/#", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await client.DisconnectAsync(cancellationToken: Cancel);
        await broker.WaitForAsync("sleepy", q => q is { IsOnline: false }, "sleepy is offline");

        await PublishAsync(broker, "with/wildcard/qos1", "thepayload");

        var queued = await broker.WaitForAsync("sleepy", q => q?.Messages.Length == 1, "one message is queued");
        var message = queued!.Messages[0];
        Assert.Equal(("with/wildcard/qos1", 1, "thepayload"), (message.RoutingKey, message.Qos, Encoding.UTF8.GetString(message.Payload.Span)));

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage.ConvertPayloadToString());
            return Task.CompletedTask;
        };
        var result = await client.ConnectAsync(broker.Options("sleepy").Build(), Cancel);

        Assert.True(result.IsSessionPresent);
        Assert.Equal("thepayload", await received.Task.WaitAsync(TimeSpan.FromSeconds(15), Cancel));
        await broker.WaitForAsync("sleepy", q => q is { IsOnline: true, Messages.Length: 0 } && q.Sessions[0].WaitingAcks == 0, "the message was delivered and acknowledged");
    }

    [Fact]
    public async Task Publish_OverflowingAnOfflineQueue_DropsOldestAndCountsThem()
    {
        await using var broker = await BrokerHarness.StartAsync(new BrokerSettings { MaxQueuedMessages = 5 });
        var client = await broker.ConnectAsync("full");
        await client.SubscribeAsync("t", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await client.DisconnectAsync(cancellationToken: Cancel);

        var publisher = await broker.ConnectAsync("pub", clean: true);
        for (var i = 0; i < 8; i++)
        {
            await publisher.PublishStringAsync("t", $"m{i}", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        }

        var queue = await broker.WaitForAsync("full", q => q?.DroppedMessages == 3, "three messages were dropped");
        Assert.Equal(["m3", "m4", "m5", "m6", "m7"], queue!.Messages.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
        var row = Assert.Single(Dashboard.Core.Query.QueryEngine.Run(Dashboard.Core.Query.QueryParser.ParseText("--client_id=full --dropped_messages --queue_size").Value, broker.Store).Value.Rows);
        Assert.Equal([3L, 5L], row);
    }

    [Fact]
    public async Task Connect_SameClientIdAgain_TakesOverWithOneOnlineSession()
    {
        await using var broker = await BrokerHarness.StartAsync();
        await broker.ConnectAsync("twin");
        await broker.WaitForAsync("twin", q => q is { IsOnline: true }, "first connection is online");
        var firstPort = broker.Store.Get(BrokerHarness.Key("twin"))!.Sessions[0].PeerPort;

        await broker.ConnectAsync("twin");

        var queue = await broker.WaitForAsync("twin", q => q is { IsOnline: true } && q.Sessions[0].PeerPort != firstPort, "the second connection took over");
        Assert.Single(queue!.Sessions);
        var status = Assert.Single(await broker.Server.GetClientsAsync());
        Assert.Equal(((IPEndPoint)status.RemoteEndPoint).Port, queue.Sessions[0].PeerPort);
    }
}
