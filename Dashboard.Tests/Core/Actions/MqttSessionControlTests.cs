using Dashboard.Core.Actions;
using Dashboard.Core.Sessions;
using Dashboard.Tests.Core.Broker;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.Tests.Core.Actions;

public class MqttSessionControlTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Refuses the topics in <see cref="Refused"/>; everything else stays.</summary>
    private sealed class RefusingPolicy : ISubscriptionPolicy
    {
        public HashSet<string> Refused { get; } = [];

        public string? LastUser { get; private set; }

        public SubscriptionRecheck Recheck(string user, string clientId, string mountpoint, IReadOnlyList<Subscription> subscriptions)
        {
            LastUser = user;
            return new([.. subscriptions.Select(s => s.Topic).Where(Refused.Contains)], []);
        }
    }

    private static MqttSessionControl Control(BrokerHarness broker, ISubscriptionPolicy? policy = null) =>
        new(broker.Server, broker.Store, broker.Tracker, policy ?? new RefusingPolicy());

    [Fact]
    public async Task Disconnect_WithoutCleanup_Mqtt5ClientGetsAdministrativeAction_SessionAndMessagesStay()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var options = broker.Options("keeper", MqttProtocolVersion.V500).WithSessionExpiryInterval(3600).Build();
        var client = await broker.ConnectAsync(options);
        await client.SubscribeAsync("news", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        var reason = new TaskCompletionSource<MqttClientDisconnectReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            reason.TrySetResult(e.Reason);
            return Task.CompletedTask;
        };

        var result = await Control(broker).DisconnectAsync(new DisconnectRequest { ClientId = "keeper" }, Cancel);

        Assert.Equal((true, true, false), (result.Found, result.WasOnline, result.CleanedUp));
        Assert.Equal("Disconnected keeper", result.Message);
        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, await reason.Task.WaitAsync(TimeSpan.FromSeconds(15), Cancel));
        Assert.Equal(0x98, (int)MqttClientDisconnectReason.AdministrativeAction);
        var queue = broker.Store.Get(BrokerHarness.Key("keeper"));
        Assert.Equal(QueueStateName.Offline, queue!.StateName);

        var publisher = await broker.ConnectAsync("pub", clean: true);
        await publisher.PublishStringAsync("news", "while away", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await broker.WaitForAsync("keeper", q => q?.Messages.Length == 1, "the message waits in the queue");
        var received = new ReceivedMessages(client);
        var reconnect = await client.ConnectAsync(options, Cancel);

        Assert.True(reconnect.IsSessionPresent);
        await broker.WaitForAsync("keeper", q => q is { IsOnline: true, Messages.Length: 0 }, "the queued message was delivered");
        await received.WaitForTopicAsync("news");
        Assert.Equal(["while away"], received.Payloads);
    }

    [Fact]
    public async Task Disconnect_WithCleanup_SessionSubscriptionsAndMessagesAreGone()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var options = broker.Options("wiped").Build();
        var client = await broker.ConnectAsync(options);
        await client.SubscribeAsync("news", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await client.DisconnectAsync(cancellationToken: Cancel);
        var publisher = await broker.ConnectAsync("pub", clean: true);
        await publisher.PublishStringAsync("news", "stale", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await broker.WaitForAsync("wiped", q => q?.Messages.Length == 1, "a message is queued");

        var result = await Control(broker).DisconnectAsync(new DisconnectRequest { ClientId = "wiped", Cleanup = true }, Cancel);

        Assert.Equal((true, false, true), (result.Found, result.WasOnline, result.CleanedUp));
        Assert.Null(broker.Store.Get(BrokerHarness.Key("wiped")));
        Assert.DoesNotContain(await broker.Server.GetSessionsAsync(), s => s.Id == "wiped");
        var received = new ReceivedMessages(client);
        var reconnect = await client.ConnectAsync(options, Cancel);
        Assert.False(reconnect.IsSessionPresent);
        await publisher.PublishStringAsync("news", "after", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        // A message to a topic the client subscribes to now proves delivery works, so silence on "news" means the subscription is gone.
        await client.SubscribeAsync("probe", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await publisher.PublishStringAsync("probe", "probe", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await broker.WaitForAsync("wiped", q => q is { IsOnline: true, Subscriptions.Length: 1 }, "only the probe subscription exists");
        await received.WaitForTopicAsync("probe");
        Assert.Equal(["probe"], received.Payloads);
    }

    [Fact]
    public async Task Disconnect_OnlineWithCleanup_ClosesAndDeletes()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var client = await broker.ConnectAsync("online");
        await client.SubscribeAsync("a", cancellationToken: Cancel);
        await broker.WaitForAsync("online", q => q?.Subscriptions.Length == 1, "subscribed");

        var result = await Control(broker).DisconnectAsync(new DisconnectRequest { ClientId = "online", Cleanup = true }, Cancel);

        Assert.Equal((true, true, true), (result.Found, result.WasOnline, result.CleanedUp));
        Assert.Null(broker.Store.Get(BrokerHarness.Key("online")));
        Assert.Empty(await broker.Server.GetSessionsAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Disconnect_PublishesTheLastWill_WithOrWithoutCleanup(bool cleanup)
    {
        await using var broker = await BrokerHarness.StartAsync();
        var watcher = await broker.ConnectAsync("watcher", clean: true);
        await watcher.SubscribeAsync("wills/#", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        var wills = new ReceivedMessages(watcher);
        await broker.ConnectAsync(broker.Options("mortal").WithWillTopic("wills/mortal").WithWillPayload("gone").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        await Control(broker).DisconnectAsync(new DisconnectRequest { ClientId = "mortal", Cleanup = cleanup }, Cancel);

        await wills.WaitForTopicAsync("wills/mortal");
        Assert.Equal(["gone"], wills.Payloads);
    }

    [Fact]
    public async Task Disconnect_UnknownClient_SaysNoSession()
    {
        await using var broker = await BrokerHarness.StartAsync();

        var result = await Control(broker).DisconnectAsync(new DisconnectRequest { ClientId = "ghost", Cleanup = true }, Cancel);

        Assert.False(result.Found);
        Assert.Equal("No session ghost", result.Message);
        Assert.Equal("Done", DisconnectResult.VerneMqText);
    }

    [Fact]
    public async Task Reauthorize_RefusedSubscription_IsRemovedAndStopsDelivery()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var client = await broker.ConnectAsync("reauth");
        await client.SubscribeAsync("some/reauth/1", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await client.SubscribeAsync("some/reauth/2", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await broker.WaitForAsync("reauth", q => q?.Subscriptions.Length == 2, "both subscriptions exist");
        var received = new ReceivedMessages(client);
        var policy = new RefusingPolicy();
        policy.Refused.Add("some/reauth/1");

        var result = await Control(broker, policy).ReauthorizeAsync(new ReauthorizeRequest { User = "bob", ClientId = "reauth" }, Cancel);

        Assert.Equal(["some/reauth/1"], result.Removed);
        Assert.Equal(("Done", "Removed some/reauth/1", "bob"), (result.VerneMqText, result.Message, policy.LastUser));
        Assert.Equal(["some/reauth/2"], broker.Store.Get(BrokerHarness.Key("reauth"))!.Subscriptions.Select(s => s.Topic));
        var publisher = await broker.ConnectAsync("pub", clean: true);
        await publisher.PublishStringAsync("some/reauth/1", "refused", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await publisher.PublishStringAsync("some/reauth/2", "allowed", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await received.WaitForTopicAsync("some/reauth/2");
        Assert.Equal(["allowed"], received.Payloads);
    }

    [Fact]
    public async Task Reauthorize_NothingRefused_IsUnchanged_UnknownClientToo()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var client = await broker.ConnectAsync("fine");
        await client.SubscribeAsync("a", cancellationToken: Cancel);
        await broker.WaitForAsync("fine", q => q?.Subscriptions.Length == 1, "subscribed");
        var control = Control(broker);

        var unchanged = await control.ReauthorizeAsync(new ReauthorizeRequest { User = "u", ClientId = "fine" }, Cancel);
        var unknown = await control.ReauthorizeAsync(new ReauthorizeRequest { User = "u", ClientId = "ghost" }, Cancel);

        Assert.Equal(("Unchanged", true), (unchanged.VerneMqText, unchanged.Found));
        Assert.Equal(("Unchanged", false, "No session ghost"), (unknown.VerneMqText, unknown.Found, unknown.Message));
    }
}
