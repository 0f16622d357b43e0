using System.Text;
using System.Text.Json;
using Dashboard.Core.Sessions;
using Dashboard.VerneMq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>The sessions grid and the wall in Chromium, fed by a real 2-node VerneMQ cluster.</summary>
[Collection(VerneMqCollection.Name)]
public sealed class VerneMqPageTests(VerneMqDashboardApp app) : DashboardPageTest(app)
{
    private readonly List<IMqttClient> _clients = [];
    private readonly string _scope = "vp" + Guid.NewGuid().ToString("N")[..6];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public override async ValueTask InitializeAsync()
    {
        app.SkipWithoutVerneMq();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync();
            }
            client.Dispose();
        }
        await base.DisposeAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task Grid_ClientsOnBothNodes_ShownWithTheirNodesAndNodeHealth_NewClientAppearsLive()
    {
        var (node1, node2) = (app.Cluster.Nodes[0], app.Cluster.Nodes[1]);
        await ConnectAsync(node1, _scope + "-one");
        await ConnectAsync(node2, _scope + "-two");

        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString($"--client_id --node --is_online --client_id=~^{_scope}-"));

        await Expect(Cell(_scope + "-one")).ToBeVisibleAsync();
        await Expect(Cell(_scope + "-two")).ToBeVisibleAsync();
        await Expect(Row(_scope + "-one").GetByRole(AriaRole.Cell, new() { Name = node1.Name, Exact = true })).ToBeVisibleAsync();
        await Expect(Row(_scope + "-two").GetByRole(AriaRole.Cell, new() { Name = node2.Name, Exact = true })).ToBeVisibleAsync();
        var health = Page.GetByRole(AriaRole.Region, new() { Name = "VerneMQ nodes" });
        await Expect(health.GetByRole(AriaRole.Status).Filter(new() { HasText = node1.Name })).ToContainTextAsync("reachable, live");
        await Expect(health.GetByRole(AriaRole.Status).Filter(new() { HasText = node2.Name })).ToContainTextAsync("reachable, live");

        // A client connecting to node 2 shows up without a reload.
        await ConnectAsync(node2, _scope + "-three");
        await Expect(Row(_scope + "-three").GetByRole(AriaRole.Cell, new() { Name = node2.Name, Exact = true })).ToBeVisibleAsync();
        await SaveScreenshotAsync("vernemq-grid");
    }

    [Fact(Timeout = 120_000)]
    public async Task Disconnect_WithCleanupInTheGrid_GoneFromVerneMqAndTheGrid_Audited()
    {
        var id = _scope + "-bye";
        await ConnectAsync(app.Cluster.Nodes[1], id);
        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString($"--client_id --node --is_online --client_id=~^{id}$"));
        await Expect(Cell(id)).ToBeVisibleAsync();

        await Row(id).GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Checkbox, new() { Name = "Clean up session (delete subscriptions and queued messages)" }).CheckAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();

        await Expect(Page.GetByText($"Disconnected {id} and cleaned up its session")).ToBeVisibleAsync();
        await Expect(Row(id)).ToHaveCountAsync(0);
        // VerneMQ's own answer, asked of both nodes: the session is gone from the cluster.
        foreach (var node in app.Cluster.Nodes)
        {
            Assert.Empty((await app.Cluster.SessionShowAsync("--client_id&--client_id=" + id, node)).GetProperty("table").EnumerateArray());
        }
        await Page.GotoAsync(App.BaseUrl + "/audit");
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = id }).First).ToContainTextAsync("Disconnect");
    }

    [Fact(Timeout = 180_000)]
    public async Task Reauthorize_InTheGridAfterAnAclChangeOnTheNode_ResultListsTheRemovedSubscription()
    {
        var node1 = app.Cluster.Nodes[0];
        var id = _scope + "-reauth";
        var user = _scope + "-user";
        var client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", node1.MqttPort).WithClientId(id)
            .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(false).WithCredentials(user, "x").Build(), Cancel);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(id + "/keep/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(id + "/drop/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(), Cancel);
        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString($"--client_id --user --topic --client_id=~^{id}$"));
        await Expect(SessionsTable.GetByRole(AriaRole.Cell).Filter(new() { HasText = id + "/" })).ToHaveTextAsync([id + "/drop/#", id + "/keep/#"]);

        var original = await File.ReadAllTextAsync(node1.AclFile, Cancel);
        try
        {
            await File.WriteAllTextAsync(node1.AclFile, $"user {user}\ntopic {id}/keep/#\n", Cancel);
            // VerneMQ reads its ACL file every 10 s: wait until it refuses a new drop/ subscription (MQTT 3.1.1: 0x80).
            await WaitForAclAsync(async () => await ProbeAsync(node1, user, id + "/drop/probe") >= MqttClientSubscribeResultCode.UnspecifiedError);

            var dialog = Page.GetByRole(AriaRole.Dialog);
            // A live refresh of the row (VerneMQ's resync, the hooks) can land between the pointer and the
            // click, and Blazor then drops the click of the replaced button: click again, at most 3 times.
            for (var attempt = 0; attempt < 3 && !await dialog.IsVisibleAsync(); attempt++)
            {
                await Row(id).First.GetByRole(AriaRole.Button, new() { Name = "Reauthorize", Exact = true }).ClickAsync();
                await dialog.WaitForAsync(new() { Timeout = 3_000 }).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            await Expect(dialog.GetByRole(AriaRole.Textbox, new() { Name = "User name" })).ToHaveValueAsync(user);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Reauthorize", Exact = true }).ClickAsync();

            var result = Page.GetByRole(AriaRole.Dialog).Filter(new() { HasText = "Reauthorized" });
            await Expect(result.GetByRole(AriaRole.List, new() { Name = "Removed" }).GetByRole(AriaRole.Listitem)).ToHaveTextAsync([id + "/drop/#"]);
            await SaveScreenshotAsync("vernemq-reauthorize-result");
            await result.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();
            await Expect(SessionsTable.GetByRole(AriaRole.Cell).Filter(new() { HasText = id + "/" })).ToHaveTextAsync([id + "/keep/#"]);
        }
        finally
        {
            await File.WriteAllTextAsync(node1.AclFile, original, CancellationToken.None);
            // Until VerneMQ reads the restored file, node 1 refuses everyone else: wait for it.
            await WaitForAclAsync(async () => await ProbeAsync(node1, user, id + "/drop/probe") < MqttClientSubscribeResultCode.UnspecifiedError);
        }
        var verneMq = (await app.Cluster.SessionShowAsync("--topic&--client_id=" + id)).GetProperty("table").EnumerateArray()
            .Select(row => row.GetProperty("topic").GetString()).ToArray();
        Assert.Contains(id + "/keep/#", verneMq);
        Assert.DoesNotContain(id + "/drop/#", verneMq);
    }

    /// <summary>What the node answers a clean-session client of <paramref name="user"/> subscribing to <paramref name="topic"/>.</summary>
    private static async Task<MqttClientSubscribeResultCode> ProbeAsync(VerneMqCluster.Node node, string user, string topic)
    {
        using var probe = new MqttClientFactory().CreateMqttClient();
        await probe.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", node.MqttPort).WithClientId(topic.Replace('/', '-'))
            .WithProtocolVersion(MqttProtocolVersion.V311).WithCredentials(user, "x").Build(), CancellationToken.None);
        var result = await probe.SubscribeAsync(topic, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, CancellationToken.None);
        await probe.DisconnectAsync();
        return result.Items.Single().ResultCode;
    }

    private static async Task WaitForAclAsync(Func<Task<bool>> inForce)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await inForce())
        {
            Assert.True(DateTime.UtcNow < deadline, "VerneMQ did not apply the ACL file within 30 s");
            await Task.Delay(500, CancellationToken.None);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task DetailPage_MessagesCountedNotListed_ReadFromVerneMqOnRequest_KeptAcrossResyncs()
    {
        var node1 = app.Cluster.Nodes[0];
        var id = _scope + "-queued";
        var subscriber = await ConnectAsync(node1, id);
        await subscriber.SubscribeAsync(id + "/q/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await subscriber.DisconnectAsync(cancellationToken: Cancel);
        await WaitForVerneMqAsync("--client_id&--is_online&--client_id=" + id, row => row.GetProperty("is_online").ValueKind == JsonValueKind.False,
            "VerneMQ to have the subscriber offline");
        string[] payloads = ["alpha one", "bravo two", "charlie three"];
        // Published on the queue's own node: the subscription reaches the other node's routing table only after replication.
        var publisher = new MqttClientFactory().CreateMqttClient();
        _clients.Add(publisher);
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", node1.MqttPort).WithClientId(_scope + "-pub")
            .WithProtocolVersion(MqttProtocolVersion.V311).Build(), Cancel);
        for (var i = 0; i < payloads.Length; i++)
        {
            await publisher.PublishStringAsync($"{id}/q/{i}", payloads[i], MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        }
        await WaitForVerneMqAsync("--client_id&--offline_messages&--client_id=" + id, row => row.GetProperty("offline_messages").GetRawText() == "3",
            "VerneMQ to count the three queued messages");

        // A dashboard that never lists messages during its syncs, as above VerneMQ:MessageDetailsUpTo queues.
        await using var counting = new OtherVerneMqDashboard(app.Cluster, VerneMqCluster.ApiKey,
            ("VerneMQ:MessageDetailsUpTo", "0"), ("VerneMQ:ResyncInterval", "00:00:03"));
        await counting.InitializeAsync();
        await Context.AddCookiesAsync(
        [
            new Cookie
            {
                Name = DashboardApp.CookieName, Value = await counting.SignInCookieAsync(), Url = counting.BaseUrl,
                HttpOnly = true, SameSite = SameSiteAttribute.Strict,
            },
        ]);
        await Page.GotoAsync(counting.BaseUrl + "/sessions/" + Uri.EscapeDataString(id));

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Queued messages (3)", Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var unlisted = Page.GetByRole(AriaRole.Region, new() { Name = "Messages not read yet" });
        await Expect(unlisted).ToContainTextAsync("VerneMQ counts 3 queued messages for this session");
        await Expect(Page.GetByText("No queued messages")).ToHaveCountAsync(0);
        await SaveScreenshotAsync("vernemq-detail-unlisted-messages");

        await unlisted.GetByRole(AriaRole.Button, new() { Name = "Read them from VerneMQ" }).ClickAsync();

        var table = Page.GetByRole(AriaRole.Table, new() { Name = "Queued messages" });
        await Expect(table.Locator("td.payload .payload-value")).ToHaveTextAsync(payloads, new() { Timeout = 30_000 });
        await Expect(unlisted).ToHaveCountAsync(0);
        await SaveScreenshotAsync("vernemq-detail-messages-read");

        // A full read that counts without listing (every read of this dashboard) keeps what was read while
        // VerneMQ's count agrees. The first full read to end after this may have begun before the click
        // (and skipped this queue, touched since); the one after it began later.
        var key = new QueueKey("", id);
        Assert.Equal(payloads, Payloads(counting.Store.Get(key)));
        var nodes = counting.Services.GetRequiredService<VerneMqNodes>();
        var read = DateTimeOffset.UtcNow;
        for (var resync = 0; resync < 2; resync++)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            var after = read;
            while (nodes.Nodes.FirstOrDefault(n => n.Name == node1.Name)?.LastGoodRead is not { } last || last <= after)
            {
                Assert.True(DateTime.UtcNow < deadline, "no full read of the counting dashboard within 30 s");
                await Task.Delay(200, Cancel);
            }
            read = nodes.Nodes.First(n => n.Name == node1.Name).LastGoodRead!.Value;
        }
        Assert.Equal(payloads, Payloads(counting.Store.Get(key)));
        await Expect(table.Locator("td.payload .payload-value")).ToHaveTextAsync(payloads);
    }

    private static string[] Payloads(QueueState? queue) => [.. (queue?.Messages ?? []).Select(m => Encoding.UTF8.GetString(m.Payload.Span))];

    /// <summary>Waits until VerneMQ's own answer has a row that satisfies <paramref name="condition"/>.</summary>
    private async Task WaitForVerneMqAsync(string query, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(await app.Cluster.SessionShowAsync(query)).GetProperty("table").EnumerateArray().Any(condition))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after 20 s waiting for {what}");
            await Task.Delay(200, Cancel);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Wall_ClientOnNode2ConnectsSubscribesAndLeaves_NumbersFollowAndNodesShown()
    {
        var id = _scope + "-wall";
        await Page.GotoAsync(App.BaseUrl + "/wall?q=" + Uri.EscapeDataString($"--client_id=~^{_scope}-"));
        await Expect(Page.Locator("#wall-status")).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        var health = Page.GetByRole(AriaRole.Region, new() { Name = "VerneMQ nodes" });
        await Expect(health.GetByRole(AriaRole.Status)).ToHaveCountAsync(2);
        // Nothing of this test's scope exists yet.
        await Expect(TileValue("Sessions online")).ToHaveTextAsync("0");
        await Expect(TileValue("Persistent sessions offline")).ToHaveTextAsync("0");

        var client = await ConnectAsync(app.Cluster.Nodes[1], id);
        await client.SubscribeAsync(id + "/status", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, Cancel);

        await Expect(TileValue("Sessions online")).ToHaveTextAsync("1");
        await Expect(TileValue("Persistent sessions offline")).ToHaveTextAsync("0");
        await Expect(TileValue("Subscriptions")).ToHaveTextAsync("1");
        await Expect(TileValue("Connects per minute")).ToHaveTextAsync("1");

        await client.DisconnectAsync(cancellationToken: Cancel);

        await Expect(TileValue("Sessions online")).ToHaveTextAsync("0");
        await Expect(TileValue("Persistent sessions offline")).ToHaveTextAsync("1");
        await Expect(TileValue("Subscriptions")).ToHaveTextAsync("1");
        await Expect(TileValue("Disconnects per minute")).ToHaveTextAsync("1");
        await Expect(Page.GetByRole(AriaRole.List, new() { Name = "Latest events" }).GetByRole(AriaRole.Listitem).First).ToContainTextAsync(id);
        await SaveScreenshotAsync("vernemq-wall");
    }

    /// <summary>The big number of one wall tile (the tile's text also holds its label).</summary>
    private ILocator TileValue(string name) => Page.GetByRole(AriaRole.Group, new() { Name = name, Exact = true }).Locator(".value");

    // The inner locator of Has is searched inside each row, so it starts from the page, not the table.
    private ILocator Row(string clientId) =>
        SessionsTable.GetByRole(AriaRole.Row).Filter(new() { Has = Page.GetByRole(AriaRole.Cell, new() { Name = clientId, Exact = true }) });

    private async Task<IMqttClient> ConnectAsync(VerneMqCluster.Node node, string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", node.MqttPort).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(false).Build(), Cancel);
        _clients.Add(client);
        return client;
    }
}
