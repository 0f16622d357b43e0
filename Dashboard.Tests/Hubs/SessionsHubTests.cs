using Dashboard.Core.Live;
using Dashboard.Core.Sessions;
using Dashboard.Tests.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.Tests.Hubs;

/// <summary>The hub in the real app, fed by real MQTT clients of the embedded broker.</summary>
public sealed class SessionsHubTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<IMqttClient> ConnectMqttAsync(DashboardHost host, string clientId, bool persistent = false)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", host.MqttPort).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500);
        if (persistent)
        {
            options.WithCleanStart(false).WithSessionExpiryInterval(3600);
        }
        await client.ConnectAsync(options.Build(), Cancel);
        return client;
    }

    [Fact]
    public async Task Wire_ChangeKindAndPresence_AreLowerCaseStrings_AsDocsLiveFeedSays()
    {
        await using var host = HubClient.StartHost();
        // The raw JSON a JavaScript consumer gets, not our own types read back (docs/live-feed.md, "changes").
        var url = new Uri(host.HttpUrl, Dashboard.Hubs.SessionsHub.Path + "?q=" + Uri.EscapeDataString("--client_id=wire-client-1"));
        await using var connection = new HubConnectionBuilder()
            .WithUrl(url, options => options.Headers[Dashboard.Api.ApiKeys.HeaderName] = HubClient.ReadKey).Build();
        var entries = System.Threading.Channels.Channel.CreateUnbounded<System.Text.Json.JsonElement>();
        connection.On<System.Text.Json.JsonElement>(nameof(ISessionsClient.Changes), batch =>
        {
            foreach (var entry in batch.GetProperty("changes").EnumerateArray())
            {
                entries.Writer.TryWrite(entry.Clone());
            }
        });
        var snapshot = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<System.Text.Json.JsonElement>(nameof(ISessionsClient.Snapshot), _ => snapshot.TrySetResult());
        await connection.StartAsync(Cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        // The hub subscribes after the handshake: a client that connects before the snapshot would arrive in
        // it, not as a change.
        await snapshot.Task.WaitAsync(timeout.Token);

        // Persistent, so leaving makes it offline rather than removed.
        using var mqtt = await ConnectMqttAsync(host, "wire-client-1", persistent: true);
        var first = await entries.Reader.ReadAsync(timeout.Token);
        await mqtt.DisconnectAsync(cancellationToken: Cancel);
        var last = first;
        while (last.GetProperty("presence").GetString() != "offline")
        {
            last = await entries.Reader.ReadAsync(timeout.Token);
        }

        Assert.Equal(("wire-client-1", "online", "online"),
            (first.GetProperty("clientId").GetString(), first.GetProperty("kind").GetString(), first.GetProperty("presence").GetString()));
        Assert.Equal("offline", last.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Connect_MqttClientComesAndGoes_OnlineThenOfflineArriveInVersionOrder()
    {
        await using var host = HubClient.StartHost();
        await using var hub = await HubClient.ConnectAsync(host.HttpUrl);
        var snapshot = await hub.WaitForAsync<SessionSnapshotMessage>(_ => true, "a snapshot");

        using var mqtt = await ConnectMqttAsync(host, "hub-client-1");
        var online = await hub.WaitForChangeAsync("hub-client-1", c => c.Presence == Presence.Online, "hub-client-1 online");
        await mqtt.DisconnectAsync(cancellationToken: Cancel);
        var offline = await hub.WaitForChangeAsync("hub-client-1", c => c.Presence == Presence.Offline, "hub-client-1 offline");

        Assert.True(online.State!.IsOnline);
        Assert.Equal("hub-client-1", online.State.ClientId);
        Assert.True(offline.Version > online.Version);
        Assert.False(offline.InScope);
        // Batches chain from the snapshot's version with no gap.
        var versions = hub.Received.OfType<SessionChangesMessage>().ToList();
        Assert.Equal(snapshot.Version, versions[0].PreviousVersion);
        for (var i = 1; i < versions.Count; i++)
        {
            Assert.Equal(versions[i - 1].Version, versions[i].PreviousVersion);
        }
        var counters = await hub.WaitForAsync<SessionCountersMessage>(c => c.DisconnectsLastMinute >= 1, "counters with the disconnect");
        Assert.True(counters.ConnectsLastMinute >= 1);
        Assert.True(counters.Version >= offline.Version);
    }

    [Fact]
    public async Task Subscribe_WithQuery_OnlyMatchingSessionsArrive()
    {
        await using var host = HubClient.StartHost();
        using var printerBefore = await ConnectMqttAsync(host, "printer-1");
        using var sensorBefore = await ConnectMqttAsync(host, "sensor-1");
        await using var hub = await HubClient.ConnectAsync(host.HttpUrl, "--client_id=~^sensor-");
        var snapshot = await hub.WaitForAsync<SessionSnapshotMessage>(_ => true, "a snapshot");

        using var printer = await ConnectMqttAsync(host, "printer-2");
        using var sensor = await ConnectMqttAsync(host, "sensor-2");
        await hub.WaitForChangeAsync("sensor-2", c => c.Presence == Presence.Online, "sensor-2 online");
        var counters = await hub.WaitForAsync<SessionCountersMessage>(c => c.Online == 2, "counters of the two sensors");

        Assert.Equal("--client_id=~^sensor-", snapshot.Query);
        Assert.Equal(["sensor-1"], snapshot.Sessions.Select(s => s.ClientId));
        Assert.DoesNotContain(hub.Changes, c => c.ClientId.StartsWith("printer", StringComparison.Ordinal));
        Assert.Equal(0, counters.Offline);
    }

    [Fact]
    public async Task Subscribe_BadQuery_ReturnsTheMessageAndKeepsTheConnection()
    {
        await using var host = HubClient.StartHost();
        await using var hub = await HubClient.ConnectAsync(host.HttpUrl);

        var error = await hub.Connection.InvokeAsync<string?>("Subscribe", "--nope", Cancel);

        Assert.Equal("Invalid key: \"nope\"", error);
        Assert.Equal(HubConnectionState.Connected, hub.Connection.State);
    }

    [Fact]
    public async Task Coalescing_FlappingClientWithinOneWindow_IsFoldedIntoItsLatestState()
    {
        // A wide window so the whole flapping fits in one or two of them on a slow machine.
        await using var host = HubClient.StartHost(("Live:Window", "00:00:02"));
        await using var hub = await HubClient.ConnectAsync(host.HttpUrl);
        await hub.WaitForAsync<SessionSnapshotMessage>(_ => true, "a snapshot");

        for (var i = 0; i < 5; i++)
        {
            using var flap = await ConnectMqttAsync(host, "flappy");
            await flap.DisconnectAsync(cancellationToken: Cancel);
        }
        using var last = await ConnectMqttAsync(host, "flappy");
        var key = new QueueKey("", "flappy");
        var final = await hub.WaitForChangeAsync("flappy", c => c.State?.IsOnline == true && c.Version >= host.Store.Get(key)?.Version, "flappy's final state");

        var sent = hub.Changes.Where(c => c.ClientId == "flappy").ToList();
        // Five connect/disconnect cycles (at least 16 store changes) fit in one or two windows; three
        // leave room for a slow machine and still prove folding.
        Assert.InRange(sent.Count, 1, 3);
        Assert.True(sent.Sum(c => c.Folded) >= 16, $"folded {sent.Sum(c => c.Folded)} changes");
        Assert.Equal(Presence.Online, final.Presence);
    }

    [Fact]
    public async Task Reconnect_AfterDroppedConnection_SnapshotHoldsEverythingMissed()
    {
        await using var host = HubClient.StartHost();
        var first = await HubClient.ConnectAsync(host.HttpUrl);
        var before = await first.WaitForAsync<SessionSnapshotMessage>(_ => true, "a snapshot");
        await first.DisposeAsync();

        using var a = await ConnectMqttAsync(host, "missed-a", persistent: true);
        using var b = await ConnectMqttAsync(host, "missed-b", persistent: true);
        using var c = await ConnectMqttAsync(host, "missed-c");
        await b.DisconnectAsync(cancellationToken: Cancel);
        await host.Store.WaitForAsync("missed-b", q => q is { IsOnline: false }, "missed-b never went offline in the store");
        var missedUpTo = host.Store.Version;

        await using var second = await HubClient.ConnectAsync(host.HttpUrl);
        var after = await second.WaitForAsync<SessionSnapshotMessage>(_ => true, "a snapshot after reconnecting");
        await c.DisconnectAsync(cancellationToken: Cancel);
        var next = await second.WaitForAsync<SessionChangesMessage>(m => m.Changes.Any(x => x.ClientId == "missed-c"), "missed-c going");
        await second.Connection.InvokeAsync("Resync", Cancel);
        var resynced = await second.WaitForAsync<SessionSnapshotMessage>(_ => true, "a snapshot after Resync");

        Assert.True(after.Version >= missedUpTo && missedUpTo > before.Version);
        Assert.Equal(
            [("missed-c", true), ("missed-b", false), ("missed-a", true)],
            after.Sessions.Select(s => (s.ClientId, s.IsOnline)));
        Assert.Equal(after.Version, next.PreviousVersion);
        Assert.DoesNotContain(resynced.Sessions, s => s.ClientId == "missed-c");
        Assert.True(resynced.Version >= next.Version);
    }
}
