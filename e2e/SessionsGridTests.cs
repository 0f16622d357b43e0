using System.Text.RegularExpressions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>The grid's toolbar and sort as a user drives them: URL sort, export, bulk disconnect of real clients, pause.</summary>
public sealed partial class SessionsGridTests(DashboardApp app) : DashboardPageTest(app)
{
    [Fact]
    public async Task Sort_ClickHeaderTwice_IsInUrlAndSurvivesReload()
    {
        var prefix = Prefix("e2e-sort");
        Connect(prefix + "-a", 3001);
        Connect(prefix + "-c", 3003);
        Connect(prefix + "-b", 3002);
        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString($"--client_id --peer_port --client_id=~^{prefix}"));
        await Expect(Rows(prefix)).ToHaveCountAsync(3);

        await SortButton("client_id").ClickAsync();
        await Expect(Page).ToHaveURLAsync(SortAscending());
        await SortButton("client_id").ClickAsync();
        await Expect(Page).ToHaveURLAsync(SortDescending());
        await Page.ReloadAsync();
        await Expect(RunButton).ToBeEnabledAsync(new() { Timeout = 30_000 });

        await Expect(Rows(prefix).Nth(0)).ToContainTextAsync(prefix + "-c");
        await Expect(Rows(prefix).Nth(1)).ToContainTextAsync(prefix + "-b");
        await Expect(Rows(prefix).Nth(2)).ToContainTextAsync(prefix + "-a");
        await Expect(SortButton("client_id")).ToHaveClassAsync(Sorted());
        await SaveScreenshotAsync("sessions-sorted");
    }

    [Fact]
    public async Task Export_CsvAndJson_DownloadTheQueryRowsInTheApisFormat()
    {
        var prefix = Prefix("e2e-export");
        Connect(prefix + "-1", 4001, user: "exporter");
        Connect(prefix + "-2", 4002);
        var text = $"--client_id --user --client_id=~^{prefix}";
        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString(text));

        var csv = await Page.RunAndWaitForDownloadAsync(() => Page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());
        var json = await Page.RunAndWaitForDownloadAsync(() => Page.GetByRole(AriaRole.Link, new() { Name = "Export JSON" }).ClickAsync());

        // Written down from the two sessions above (newest first, the query's column order, no user:
        // empty in CSV, null in JSON), not computed by the product's own query engine and writers.
        Assert.Matches(CsvFileName(), csv.SuggestedFilename);
        Assert.Equal(
            $"client_id,user\r\n{prefix}-2,\r\n{prefix}-1,exporter\r\n",
            await File.ReadAllTextAsync(await csv.PathAsync(), TestContext.Current.CancellationToken));
        Assert.Matches(JsonFileName(), json.SuggestedFilename);
        Assert.Equal(
            $$"""{"table":[{"client_id":"{{prefix}}-2","user":null},{"client_id":"{{prefix}}-1","user":"exporter"}],"type":"table"}""",
            await File.ReadAllTextAsync(await json.PathAsync(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DisconnectSelected_ThreeRealClients_TypedCountDisconnectsThemAll()
    {
        var prefix = Prefix("e2e-bulk");
        var clients = new List<(IMqttClient Client, TaskCompletionSource<MqttClientDisconnectReason> Disconnected)>();
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                clients.Add(await ConnectRealClientAsync($"{prefix}-{i}"));
            }
            await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString($"--client_id --is_online --peer_port --client_id=~^{prefix}"));
            await Expect(Rows(prefix)).ToHaveCountAsync(3);

            await Page.GetByRole(AriaRole.Checkbox, new() { Name = $"Select {prefix}-1" }).CheckAsync();
            await Page.GetByRole(AriaRole.Button, new() { Name = "Select all matching" }).ClickAsync();
            var disconnectSelected = Page.GetByRole(AriaRole.Button, new() { Name = "Disconnect selected (3)" });
            await Expect(disconnectSelected).ToBeEnabledAsync();
            await SaveScreenshotAsync("sessions-selected");
            await disconnectSelected.ClickAsync();

            var dialog = Page.GetByRole(AriaRole.Dialog);
            await Expect(dialog).ToContainTextAsync("Disconnect 3 sessions");
            var confirm = dialog.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true });
            await Expect(confirm).ToBeDisabledAsync();
            await dialog.GetByRole(AriaRole.Textbox, new() { Name = "Type 3 to confirm" }).FillAsync("2");
            await Expect(confirm).ToBeDisabledAsync();
            await dialog.GetByRole(AriaRole.Textbox, new() { Name = "Type 3 to confirm" }).FillAsync("3");
            await Expect(confirm).ToBeEnabledAsync();
            await SaveScreenshotAsync("bulk-disconnect-dialog");
            await confirm.ClickAsync();

            await Expect(Page.GetByText("Disconnected 3 of 3")).ToBeVisibleAsync();
            foreach (var (_, disconnected) in clients)
            {
                // MQTT 5 clients: the README promises DISCONNECT with 0x98 (administrative action).
                Assert.Equal(DisconnectReasons.ForMqtt5, await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
            }
            // Clean sessions leave with their connection.
            await Expect(Rows(prefix)).ToHaveCountAsync(0);
            await SaveScreenshotAsync("after-bulk-disconnect");
        }
        finally
        {
            foreach (var (client, _) in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task Pause_NewSession_WaitsUntilResumed()
    {
        var prefix = Prefix("e2e-pause");
        Connect(prefix + "-first", 5001);
        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString($"--client_id --is_online --client_id=~^{prefix}"));
        await Expect(Cell(prefix + "-first")).ToBeVisibleAsync();
        var pause = Page.GetByRole(AriaRole.Switch, new() { Name = "Pause" });

        await pause.CheckAsync();
        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Paused" })).ToBeVisibleAsync();
        Connect(prefix + "-late", 5002);
        App.Store.Apply(new ClientDisconnected(Key(prefix + "-first")));

        // The note changes only once the page has seen the change; the rows did not.
        await Expect(Page.GetByText("Paused — changes waiting")).ToBeVisibleAsync();
        var first = Rows(prefix + "-first");
        await Expect(Cell(prefix + "-late")).ToHaveCountAsync(0);
        await Expect(first).ToContainTextAsync("true");
        await SaveScreenshotAsync("sessions-paused");

        await pause.UncheckAsync();
        await Expect(Cell(prefix + "-late")).ToBeVisibleAsync();
        await Expect(first).ToContainTextAsync("false");
        await Expect(Page.GetByText("Paused — changes waiting")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task CountBehindTheLimit_RealClientsSubscribeAndLeave_FollowsEachChange()
    {
        var prefix = Prefix("e2e-count");
        var clients = new List<IMqttClient>();
        try
        {
            async Task<IMqttClient> SubscribedAsync(string clientId, params string[] topics)
            {
                var (client, _) = await ConnectRealClientAsync(clientId);
                clients.Add(client);
                var options = new MqttClientSubscribeOptionsBuilder();
                foreach (var topic in topics)
                {
                    options.WithTopicFilter(topic);
                }
                await client.SubscribeAsync(options.Build(), TestContext.Current.CancellationToken);
                return client;
            }
            var a = await SubscribedAsync(prefix + "-a", "count/1", "count/2");
            var b = await SubscribedAsync(prefix + "-b", "count/3");
            // One row per subscription, one shown: the note counts the rest.
            await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString($"--client_id --topic --client_id=~^{prefix} --limit=1"));
            var note = Page.Locator(".limit-note");
            await Expect(note).ToContainTextAsync("of 3 matching");

            await SubscribedAsync(prefix + "-c", "count/4", "count/5");
            await Expect(note).ToContainTextAsync("of 5 matching");
            await SaveScreenshotAsync("sessions-count-behind-limit");

            await a.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter("count/2").Build(), TestContext.Current.CancellationToken);
            await Expect(note).ToContainTextAsync("of 4 matching");

            // A clean session's queue goes with its connection, and its subscription's row with it.
            await b.DisconnectAsync(cancellationToken: TestContext.Current.CancellationToken);
            await Expect(note).ToContainTextAsync("of 3 matching");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private async Task<(IMqttClient Client, TaskCompletionSource<MqttClientDisconnectReason> Disconnected)> ConnectRealClientAsync(string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var disconnected = new TaskCompletionSource<MqttClientDisconnectReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += args =>
        {
            disconnected.TrySetResult(args.Reason);
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", App.MqttPort).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500).Build(), TestContext.Current.CancellationToken);
        return (client, disconnected);
    }

    private ILocator Rows(string text) => SessionsTable.GetByRole(AriaRole.Row).Filter(new() { HasText = text });

    private ILocator SortButton(string column) => Page.GetByRole(AriaRole.Button, new() { Name = $"Sort by {column}", Exact = true });

    private static string Prefix(string name) => name + "-" + Guid.NewGuid().ToString("N")[..6];

    private void Connect(string clientId, int port, string? user = null) =>
        App.Store.Apply(new ClientConnected(Key(clientId), false, user, "127.0.0.1", port, 4));

    private static QueueKey Key(string clientId) => new("", clientId);

    [GeneratedRegex(@"[?&]sort=client_id(&|$)")]
    private static partial Regex SortAscending();

    [GeneratedRegex(@"[?&]sort=-client_id(&|$)")]
    private static partial Regex SortDescending();

    [GeneratedRegex(@"\bsorted\b")]
    private static partial Regex Sorted();

    [GeneratedRegex(@"^sessions-\d{8}-\d{6}\.csv$")]
    private static partial Regex CsvFileName();

    [GeneratedRegex(@"^sessions-\d{8}-\d{6}\.json$")]
    private static partial Regex JsonFileName();
}
