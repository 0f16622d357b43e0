using Dashboard.Core.Actions;
using Dashboard.Core.Auth;
using Dashboard.Core.Broker;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.Tests.Core.Broker;

public sealed class BrokerAuthorizerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("broker-auth-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static PasswordFile Passwords(params (string User, string Password)[] users) =>
        PasswordFile.Parse(string.Join('\n', users.Select(u => PasswordFile.CreateLine(u.User, u.Password).Value))).Value!;

    private static AclFile Acl(string text)
    {
        var parsed = AclFile.Parse(text);
        Assert.True(parsed.IsSuccess, string.Join("; ", parsed.Errors));
        return parsed.Value!;
    }

    private static async Task<MqttClientConnectResultCode> TryConnectAsync(BrokerHarness broker, MqttClientOptions options)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(options, Cancel);
        if (client.IsConnected)
        {
            await client.DisconnectAsync(cancellationToken: Cancel);
        }
        return result.ResultCode;
    }

    [Fact]
    public async Task Connect_PasswordFile_AcceptsRightPasswordRefusesWrongAndUnknown()
    {
        var authorizer = new BrokerAuthorizer(allowAnonymous: true, () => Passwords(("alice", "s3cret")), acl: null);
        await using var broker = await BrokerHarness.StartAsync(attachFirst: authorizer.Attach);

        Assert.Equal(MqttClientConnectResultCode.Success, await TryConnectAsync(broker, broker.Options("a1", MqttProtocolVersion.V500).WithCredentials("alice", "s3cret").Build()));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await TryConnectAsync(broker, broker.Options("a2", MqttProtocolVersion.V500).WithCredentials("alice", "wrong").Build()));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await TryConnectAsync(broker, broker.Options("a3", MqttProtocolVersion.V500).WithCredentials("mallory", "s3cret").Build()));
        Assert.Equal(MqttClientConnectResultCode.Success, await TryConnectAsync(broker, broker.Options("anon", MqttProtocolVersion.V500).Build()));
        await broker.Tracker.DrainAsync(Cancel);
        Assert.Null(broker.Store.Get(BrokerHarness.Key("a2")));
    }

    [Fact]
    public async Task Connect_AnonymousNotAllowed_IsRefused()
    {
        var authorizer = new BrokerAuthorizer(allowAnonymous: false, () => Passwords(("alice", "pw")), acl: null);
        await using var broker = await BrokerHarness.StartAsync(attachFirst: authorizer.Attach);

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await TryConnectAsync(broker, broker.Options("anon", MqttProtocolVersion.V500).Build()));
        Assert.Equal(MqttClientConnectResultCode.Success, await TryConnectAsync(broker, broker.Options("alice-1", MqttProtocolVersion.V500).WithCredentials("alice", "pw").Build()));
    }

    [Fact]
    public async Task Connect_Mqtt5WithoutClientId_GetsAnAssignedId()
    {
        var authorizer = new BrokerAuthorizer(allowAnonymous: true, passwords: null, acl: null);
        await using var broker = await BrokerHarness.StartAsync(attachFirst: authorizer.Attach);
        using var client = new MqttClientFactory().CreateMqttClient();

        var result = await client.ConnectAsync(broker.Options("", MqttProtocolVersion.V500, clean: true).Build(), Cancel);

        Assert.StartsWith("auto-", result.AssignedClientIdentifier, StringComparison.Ordinal);
        await broker.WaitForAsync(result.AssignedClientIdentifier, q => q is { IsOnline: true, CleanSession: true }, "the assigned id is in the store");
        await client.DisconnectAsync(cancellationToken: Cancel);
    }

    [Fact]
    public async Task Subscribe_And_Publish_FollowTheAcl()
    {
        var rules = Acl("topic read public/#\nuser alice\ntopic write public/alice\npattern read private/%u/#\n");
        var authorizer = new BrokerAuthorizer(allowAnonymous: true, passwords: null, () => rules);
        await using var broker = await BrokerHarness.StartAsync(attachFirst: authorizer.Attach);
        var alice = await broker.ConnectAsync(broker.Options("alice-1").WithCredentials("alice", "x").Build());

        var granted = await alice.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("public/news").WithTopicFilter("private/alice/inbox").WithTopicFilter("private/bob/inbox").Build(), Cancel);

        Assert.Equal(
            [MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.UnspecifiedError],
            granted.Items.Select(i => i.ResultCode));
        await broker.WaitForAsync("alice-1", q => q?.Subscriptions.Length == 2, "two allowed subscriptions");
        var received = new ReceivedMessages(alice);
        var anonymous = await broker.ConnectAsync("anon-pub", clean: true);
        await anonymous.PublishStringAsync("public/news", "refused: anonymous may not write", cancellationToken: Cancel);
        await alice.PublishStringAsync("public/alice", "allowed but nobody listens", cancellationToken: Cancel);
        await alice.SubscribeAsync("public/alice", cancellationToken: Cancel);
        await alice.PublishStringAsync("public/alice", "allowed", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await received.WaitForTopicAsync("public/alice");
        Assert.Equal(["public/alice"], received.Topics);
    }

    [Fact]
    public async Task Reauthorize_AfterAclFileChanges_RemovesExactlyTheRefusedSubscription()
    {
        var path = Path.Combine(_folder, "vmq.acl");
        await File.WriteAllTextAsync(path, "user reauth-user\ntopic read some/reauth/1\ntopic read some/reauth/2\ntopic write some/#\n", Cancel);
        using var watcher = AuthFiles.WatchAcl(path, options: new AuthFileWatcherOptions { PollInterval = TimeSpan.FromMilliseconds(100), Debounce = TimeSpan.FromMilliseconds(20) });
        var authorizer = new BrokerAuthorizer(allowAnonymous: true, passwords: null, () => watcher.Current);
        await using var broker = await BrokerHarness.StartAsync(attachFirst: authorizer.Attach);
        var client = await broker.ConnectAsync(broker.Options("reauth-client").WithCredentials("reauth-user", "x").Build());
        await client.SubscribeAsync("some/reauth/1", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await client.SubscribeAsync("some/reauth/2", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await broker.WaitForAsync("reauth-client", q => q?.Subscriptions.Length == 2, "both subscriptions are allowed");
        var control = new MqttSessionControl(broker.Server, broker.Store, broker.Tracker, authorizer);
        Assert.Equal("Unchanged", (await control.ReauthorizeAsync(new ReauthorizeRequest { User = "reauth-user", ClientId = "reauth-client" }, Cancel)).VerneMqText);

        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Changed += (_, _) => reloaded.TrySetResult();
        await File.WriteAllTextAsync(path, "user reauth-user\ntopic read some/reauth/2\ntopic write some/#\n", Cancel);
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(15), Cancel);
        var result = await control.ReauthorizeAsync(new ReauthorizeRequest { User = "reauth-user", ClientId = "reauth-client" }, Cancel);

        Assert.Equal(["some/reauth/1"], result.Removed);
        Assert.Equal("Done", result.VerneMqText);
        Assert.Equal(["some/reauth/2"], broker.Store.Get(BrokerHarness.Key("reauth-client"))!.Subscriptions.Select(s => s.Topic));
        var received = new ReceivedMessages(client);
        await client.PublishStringAsync("some/reauth/1", "gone", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await client.PublishStringAsync("some/reauth/2", "kept", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await received.WaitForTopicAsync("some/reauth/2");
        Assert.Equal(["some/reauth/2"], received.Topics);
    }
}
