using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.E2E;

/// <summary>
/// The sessions grid with every session made by a real MQTT client (MQTTnet and Debian's mosquitto_sub)
/// against the app's embedded broker: browse, columns, filters, disconnect with cleanup, reauthorize
/// after an ACL change, and live updates.
/// </summary>
public sealed class SessionsRealClientTests(DashboardApp app, AclDashboardApp acl) : DashboardPageTest(app), IClassFixture<AclDashboardApp>
{
    // A fresh app takes several seconds before its first circuit is interactive.
    private const float InteractiveTimeout = 30_000;

    private readonly List<IMqttClient> _clients = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

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

    [Fact]
    public async Task Browse_RealClientsOfEachKind_GridShowsTheirStateUserPortAndProtocol()
    {
        var scope = NewId("browse");
        var v5 = await ConnectAsync(App.MqttPort, scope + "-v5-persistent", MqttProtocolVersion.V500, persistent: true, user: "meter");
        var v311 = await ConnectAsync(App.MqttPort, scope + "-v311-clean", MqttProtocolVersion.V311, persistent: false, user: "panel");
        var offline = await ConnectAsync(App.MqttPort, scope + "-v311-persistent", MqttProtocolVersion.V311, persistent: true, user: "logger");
        await offline.Client.DisconnectAsync(cancellationToken: Cancel);
        await using var mosquitto = MosquittoSub.Start(App.MqttPort,
            "-V", "mqttv311", "-i", scope + "-mosquitto", "-c", "-q", "1", "-u", "mosquitto-user", "-t", "plant/browse/#");

        await OpenSessionsAsync(SessionsUrl($"--client_id --is_online --user --peer_port --protocol --clean_session --client_id=~^{scope}-"));

        await Expect(Cells(scope + "-v5-persistent")).ToHaveTextAsync([scope + "-v5-persistent", "true", "meter", Port(v5.LocalPort), "5", "false", ""]);
        await Expect(Cells(scope + "-v311-clean")).ToHaveTextAsync([scope + "-v311-clean", "true", "panel", Port(v311.LocalPort), "4", "true", ""]);
        // An offline queue has no connection, so nothing is known of its user, port or protocol.
        await Expect(Cells(scope + "-v311-persistent")).ToHaveTextAsync([scope + "-v311-persistent", "false", "undefined", "undefined", "undefined", "false", ""]);
        // Cells are cut at 40 characters; a 40-character id like this one must still show whole.
        Assert.Equal(40, (scope + "-v311-persistent").Length);
        Assert.True(await SessionsTable.GetByRole(AriaRole.Link, new() { Name = scope + "-v311-persistent", Exact = true })
            .EvaluateAsync<bool>("link => link.scrollWidth <= link.clientWidth"), "the 40-character id is cut short in its cell");
        await Expect(Cells(scope + "-mosquitto").Nth(1)).ToHaveTextAsync("true");
        var mosquittoPort = mosquitto.LocalPortTo(App.MqttPort);
        Assert.NotNull(mosquittoPort);
        await Expect(Cells(scope + "-mosquitto")).ToHaveTextAsync([scope + "-mosquitto", "true", "mosquitto-user", Port(mosquittoPort.Value), "4", "false", ""]);
        await ExpectClientIdsAsync(scope + "-v5-persistent", scope + "-v311-clean", scope + "-v311-persistent", scope + "-mosquitto");
        await SaveScreenshotAsync("real-browse");
    }

    [Fact]
    public async Task ColumnChooser_UntickTickAndMove_HeadersFollowAndTheUrlHoldsTheQuery()
    {
        var clientId = NewId("columns");
        var client = await ConnectAsync(App.MqttPort, clientId, MqttProtocolVersion.V500, persistent: false, user: "columns-user");
        await client.Client.SubscribeAsync("plant/columns/#", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await OpenSessionsAsync(SessionsUrl($"--client_id=~^{clientId}$"));
        await Expect(Headers).ToHaveTextAsync(["client_id", "is_online", "mountpoint", "peer_host", "peer_port", "user", "Actions"]);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Columns", Exact = true }).ClickAsync();
        var chooser = Page.GetByRole(AriaRole.Group, new() { Name = "Choose columns" });
        await chooser.GetByRole(AriaRole.Checkbox, new() { Name = "mountpoint", Exact = true }).UncheckAsync();
        await Expect(Headers).ToHaveTextAsync(["client_id", "is_online", "peer_host", "peer_port", "user", "Actions"]);
        await chooser.GetByRole(AriaRole.Checkbox, new() { Name = "peer_host", Exact = true }).UncheckAsync();
        await chooser.GetByRole(AriaRole.Checkbox, new() { Name = "protocol", Exact = true }).CheckAsync();
        await chooser.GetByRole(AriaRole.Checkbox, new() { Name = "topic", Exact = true }).CheckAsync();
        await Expect(Headers).ToHaveTextAsync(["client_id", "is_online", "peer_port", "user", "protocol", "topic", "Actions"]);
        await chooser.GetByRole(AriaRole.Button, new() { Name = "Move topic left", Exact = true }).ClickAsync();
        var moveUserRight = chooser.GetByRole(AriaRole.Button, new() { Name = "Move user right", Exact = true });
        await moveUserRight.ClickAsync();
        await Expect(Headers).ToHaveTextAsync(["client_id", "is_online", "peer_port", "topic", "user", "protocol", "Actions"]);
        await moveUserRight.ClickAsync();
        await Expect(moveUserRight).ToBeDisabledAsync();

        string[] headers = ["client_id", "is_online", "peer_port", "topic", "protocol", "user", "Actions"];
        await Expect(Headers).ToHaveTextAsync(headers);
        await Expect(Cells(clientId)).ToHaveTextAsync([clientId, "true", Port(client.LocalPort), "plant/columns/#", "5", "columns-user", ""]);
        const string columns = "--client_id --is_online --peer_port --topic --protocol --user";
        await Expect(QueryBox).ToHaveValueAsync($"{columns} --client_id=~^{clientId}$");
        await Expect(Page).ToHaveURLAsync(ExactUrl(SessionsUrl($"{columns} --client_id=~^{clientId}$")));
        await SaveScreenshotAsync("real-columns-chosen");

        // The address alone brings the same view back.
        await Page.ReloadAsync();
        await Expect(RunButton).ToBeEnabledAsync(new() { Timeout = InteractiveTimeout });
        await Expect(Headers).ToHaveTextAsync(headers);
        await Expect(Cells(clientId)).ToHaveTextAsync([clientId, "true", Port(client.LocalPort), "plant/columns/#", "5", "columns-user", ""]);
    }

    [Fact]
    public async Task Filter_RegexInBoxAndControls_ChipsAndBoxAgreeAndABadRegexKeepsTheLastRows()
    {
        var scope = Guid.NewGuid().ToString("N")[..8];
        var a1 = "e2e-real-a-" + scope + "-1";
        var a2 = "e2e-real-a-" + scope + "-2";
        var b = "e2e-real-b-" + scope;
        await ConnectAsync(App.MqttPort, a1, MqttProtocolVersion.V500, persistent: false, user: "ops");
        await ConnectAsync(App.MqttPort, a2, MqttProtocolVersion.V311, persistent: false, user: "guest");
        await ConnectAsync(App.MqttPort, b, MqttProtocolVersion.V500, persistent: false, user: "ops");
        await OpenSessionsAsync(SessionsUrl($"--client_id --user --client_id=~{scope}"));
        await ExpectClientIdsAsync(a1, a2, b);

        await QueryBox.FillAsync($"--client_id --user --client_id=~^e2e-real-a-{scope}");
        await QueryBox.PressAsync("Enter");

        await ExpectClientIdsAsync(a1, a2);
        await Expect(Chips).ToHaveTextAsync([$"--client_id=~^e2e-real-a-{scope}"]);
        await Expect(Page).ToHaveURLAsync(ExactUrl(SessionsUrl($"--client_id --user --client_id=~^e2e-real-a-{scope}")));
        await SaveScreenshotAsync("real-filter-box");

        // The same kind of filter from the controls: it becomes a chip and a flag in the box.
        var editor = Page.GetByRole(AriaRole.Group, new() { Name = "Add a filter" });
        await editor.GetByRole(AriaRole.Combobox, new() { Name = "Filter field" }).ClickAsync();
        await Page.GetByRole(AriaRole.Option, new() { Name = "user", Exact = true }).ClickAsync();
        await editor.GetByRole(AriaRole.Combobox, new() { Name = "Match" }).ClickAsync();
        await Page.GetByRole(AriaRole.Option, new() { Name = "=~ regex", Exact = true }).ClickAsync();
        await editor.GetByRole(AriaRole.Textbox, new() { Name = "Filter value" }).FillAsync("^op");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Add filter" }).ClickAsync();

        await ExpectClientIdsAsync(a1);
        await Expect(Chips).ToHaveTextAsync([$"--client_id=~^e2e-real-a-{scope}", "--user=~^op"]);
        await Expect(QueryBox).ToHaveValueAsync($"--client_id --user --client_id=~^e2e-real-a-{scope} --user=~^op");
        await SaveScreenshotAsync("real-filter-controls");

        // Closing a chip takes its flag out of the box too.
        await Chips.Filter(new() { HasText = "--user=~^op" }).GetByRole(AriaRole.Button).ClickAsync();
        await Expect(Chips).ToHaveTextAsync([$"--client_id=~^e2e-real-a-{scope}"]);
        await Expect(QueryBox).ToHaveValueAsync($"--client_id --user --client_id=~^e2e-real-a-{scope}");
        await ExpectClientIdsAsync(a1, a2);

        await QueryBox.FillAsync($"--client_id --user --client_id=~^e2e-real-(a-{scope}");
        await QueryBox.PressAsync("Enter");

        await Expect(QueryBox).ToHaveAccessibleDescriptionAsync(new Regex("^Invalid regular expression \"\\^e2e-real-\\(a-"));
        await Expect(Page.GetByText("Showing the last query that ran.")).ToBeVisibleAsync();
        await ExpectClientIdsAsync(a1, a2);
        await SaveScreenshotAsync("real-filter-invalid-regex");
    }

    [Fact]
    public async Task Disconnect_WithCleanup_RowGoesClientIsClosedAndReconnectsWithoutItsSession()
    {
        var clientId = NewId("cleanup");
        var client = await ConnectAsync(App.MqttPort, clientId, MqttProtocolVersion.V500, persistent: true, user: "cleanup-user");
        await client.Client.SubscribeAsync("plant/cleanup/#", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        var closed = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Client.DisconnectedAsync += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };
        await OpenSessionsAsync(SessionsUrl($"--client_id --is_online --user --topic --client_id=~^{clientId}$"));
        await Expect(Cells(clientId)).ToHaveTextAsync([clientId, "true", "cleanup-user", "plant/cleanup/#", ""]);

        await Row(clientId).GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Checkbox, new() { Name = "Clean up session (delete subscriptions and queued messages)" }).CheckAsync();
        await SaveScreenshotAsync("real-disconnect-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();

        await Expect(Page.GetByText($"Disconnected {clientId} and cleaned up its session")).ToBeVisibleAsync();
        await Expect(Row(clientId)).ToHaveCountAsync(0);
        await SaveScreenshotAsync("real-disconnect-row-gone");
        var disconnected = await closed.Task.WaitAsync(TimeSpan.FromSeconds(15), Cancel);
        // An MQTT 5 client: the README promises DISCONNECT with 0x98 (administrative action).
        Assert.Equal(DisconnectReasons.ForMqtt5, disconnected.Reason);
        Assert.False(client.Client.IsConnected);

        // Asking for its old session back: the broker has none left to resume.
        var again = await client.Client.ConnectAsync(Options(App.MqttPort, clientId, MqttProtocolVersion.V500, persistent: true, user: "cleanup-user").Options, Cancel);

        Assert.Equal(MqttClientConnectResultCode.Success, again.ResultCode);
        Assert.False(again.IsSessionPresent);
        // A session without subscriptions has no row once --topic asks for one per subscription (as in vmq-admin),
        // so it shows without that column and disappears again with it.
        await QueryBox.FillAsync($"--client_id --is_online --user --client_id=~^{clientId}$");
        await QueryBox.PressAsync("Enter");
        await Expect(Cells(clientId)).ToHaveTextAsync([clientId, "true", "cleanup-user", ""]);
        await SaveScreenshotAsync("real-disconnect-reconnected");
        await QueryBox.FillAsync($"--client_id --is_online --user --topic --client_id=~^{clientId}$");
        await QueryBox.PressAsync("Enter");
        await Expect(SessionsTable.GetByRole(AriaRole.Columnheader, new() { Name = "topic" })).ToBeVisibleAsync();
        await Expect(SessionsTable).ToContainTextAsync("No sessions match");
        await Expect(Row(clientId)).ToHaveCountAsync(0);
        await SaveScreenshotAsync("real-disconnect-no-subscriptions");
    }

    [Fact]
    public async Task Reauthorize_AfterAclDropsATopic_ResultListsTheRemovedSubscriptionAndTheGridDropsIt()
    {
        var clientId = NewId("reauth");
        var client = await ConnectAsync(acl.MqttPort, clientId, MqttProtocolVersion.V500, persistent: false, user: AclDashboardApp.User);
        var granted = await client.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("plant/a/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("plant/b/#", MqttQualityOfServiceLevel.AtLeastOnce).Build(), Cancel);
        Assert.All(granted.Items, item => Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, item.ResultCode));

        await acl.RewriteAclAsync($"user {AclDashboardApp.User}\ntopic plant/a/#\n", Cancel);

        // The broker enforces the new rules for new subscriptions; the existing one stays until reauthorized.
        var refused = await client.Client.SubscribeAsync("plant/b/probe", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, Assert.Single(refused.Items).ResultCode);
        await OpenAclSessionsAsync(SessionsUrl($"--client_id --user --topic --client_id=~^{clientId}$"));
        await Expect(SessionsTable.GetByRole(AriaRole.Cell).Filter(new() { HasText = "plant/" })).ToHaveTextAsync(["plant/a/#", "plant/b/#"]);

        await Row(clientId).First.GetByRole(AriaRole.Button, new() { Name = "Reauthorize", Exact = true }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByRole(AriaRole.Textbox, new() { Name = "User name" })).ToHaveValueAsync(AclDashboardApp.User);
        await SaveScreenshotAsync("real-reauthorize-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reauthorize", Exact = true }).ClickAsync();

        var result = Page.GetByRole(AriaRole.Dialog).Filter(new() { HasText = "Reauthorized" });
        await Expect(result.GetByRole(AriaRole.List, new() { Name = "Removed" }).GetByRole(AriaRole.Listitem)).ToHaveTextAsync(["plant/b/#"]);
        await Expect(result.GetByRole(AriaRole.List, new() { Name = "Added" })).ToHaveCountAsync(0);
        await SaveScreenshotAsync("real-reauthorize-result");
        await result.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();

        await Expect(SessionsTable.GetByRole(AriaRole.Cell).Filter(new() { HasText = "plant/" })).ToHaveTextAsync(["plant/a/#"]);
        await SaveScreenshotAsync("real-reauthorize-grid");
        Assert.Empty(acl.Errors);
    }

    [Fact]
    public async Task Live_RealClientsComeAndGo_RowsAndCountersFollowWithoutReload()
    {
        // On the app of this class alone: the shared app's totals move with every test running beside this one.
        var scope = NewId("live");
        var persistentId = scope + "-persistent";
        var cleanId = scope + "-mosquitto";
        await OpenAclSessionsAsync(SessionsUrl($"--client_id --is_online --client_id=~^{scope}-"));
        await Page.EvaluateAsync("() => window.e2eLoadMarker = 42");
        var before = acl.Store.Counters;
        var counts = Page.GetByRole(AriaRole.Group, new() { Name = "Session counts" });
        await Expect(counts).ToHaveTextAsync(Counts(before.Online, before.Offline));

        var persistent = await ConnectAsync(acl.MqttPort, persistentId, MqttProtocolVersion.V500, persistent: true, user: AclDashboardApp.User);
        await Expect(Cells(persistentId)).ToHaveTextAsync([persistentId, "true", ""]);
        await using (var mosquitto = MosquittoSub.Start(acl.MqttPort, "-V", "mqttv311", "-i", cleanId, "-u", AclDashboardApp.User, "-t", "plant/a/live"))
        {
            await Expect(Cells(cleanId)).ToHaveTextAsync([cleanId, "true", ""]);
            await Expect(counts).ToHaveTextAsync(Counts(before.Online + 2, before.Offline));
            await SaveScreenshotAsync("real-live-both-online");

            await persistent.Client.DisconnectAsync(cancellationToken: Cancel);

            await Expect(Cells(persistentId)).ToHaveTextAsync([persistentId, "false", ""]);
            await Expect(counts).ToHaveTextAsync(Counts(before.Online + 1, before.Offline + 1));
            await mosquitto.StopAsync();
        }

        await Expect(Row(cleanId)).ToHaveCountAsync(0);
        await Expect(Cells(persistentId)).ToHaveTextAsync([persistentId, "false", ""]);
        await Expect(counts).ToHaveTextAsync(Counts(before.Online, before.Offline + 1));
        Assert.Equal(42, await Page.EvaluateAsync<int>("() => window.e2eLoadMarker"));
        await SaveScreenshotAsync("real-live-after");
        Assert.Empty(acl.Errors);
    }

    // The selection column (checkboxes) belongs to the bulk actions, tested in SessionsGridTests; left out here.
    private ILocator Headers => SessionsTable.GetByRole(AriaRole.Columnheader).Filter(new() { HasNot = Page.GetByRole(AriaRole.Checkbox) });

    // Only the client_id cells hold links (to the session's page).
    private ILocator ClientIdCells => SessionsTable.GetByRole(AriaRole.Link);

    private ILocator Chips => Page.GetByRole(AriaRole.Group, new() { Name = "Filters" }).Locator(".filter-chip");

    // The inner locator of Has is searched within each row, so it starts from the page, not the table.
    private ILocator Row(string clientId) =>
        SessionsTable.GetByRole(AriaRole.Row).Filter(new() { Has = Page.GetByRole(AriaRole.Cell, new() { Name = clientId, Exact = true }) });

    // Rows come in the store's order, which no test should depend on.
    private async Task ExpectClientIdsAsync(params string[] clientIds)
    {
        await Expect(ClientIdCells).ToHaveCountAsync(clientIds.Length);
        foreach (var clientId in clientIds)
        {
            await Expect(Row(clientId)).ToHaveCountAsync(1);
        }
    }

    private ILocator Cells(string clientId) => Row(clientId).GetByRole(AriaRole.Cell).Filter(new() { HasNot = Page.GetByRole(AriaRole.Checkbox) });

    private static Regex Counts(long online, long offline) => new($@"^\s*{online} online\s+{offline} offline\s*$");

    // A string given to ToHaveURLAsync is a glob, in which ? and other query characters are wildcards.
    private Regex ExactUrl(string path) => new("^" + Regex.Escape(App.BaseUrl + path) + "$");

    private static string SessionsUrl(string query) => "/sessions?q=" + Uri.EscapeDataString(query);

    private static string NewId(string what) => $"e2e-real-{what}-{Guid.NewGuid().ToString("N")[..8]}";

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task OpenAclSessionsAsync(string path)
    {
        // Cookies do not tell ports apart: this app's own cookie replaces the shared app's for the test.
        await Context.AddCookiesAsync(
        [
            new Microsoft.Playwright.Cookie
            {
                Name = DashboardApp.CookieName, Value = await acl.AdminCookieAsync(), Url = acl.BaseUrl,
                HttpOnly = true, SameSite = SameSiteAttribute.Strict,
            },
        ]);
        await Page.GotoAsync(acl.BaseUrl + path);
        await Expect(RunButton).ToBeEnabledAsync(new() { Timeout = InteractiveTimeout });
    }

    private async Task<(IMqttClient Client, int LocalPort)> ConnectAsync(int brokerPort, string clientId, MqttProtocolVersion version, bool persistent, string user)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        for (var attempt = 1; ; attempt++)
        {
            var (options, localPort) = Options(brokerPort, clientId, version, persistent, user);
            try
            {
                var result = await client.ConnectAsync(options, Cancel);
                Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
                return (client, localPort);
            }
            catch (Exception e) when (attempt < 5 && IsAddressInUse(e))
            {
                // The client binds the port the test chose (MQTTnet's client does not report a port-0
                // bind), and another socket took it in between: choose again.
            }
        }
    }

    private static bool IsAddressInUse(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Client options bound to a free local port of our choosing, so the test knows the peer_port the broker should see.</summary>
    private static (MqttClientOptions Options, int LocalPort) Options(int brokerPort, string clientId, MqttProtocolVersion version, bool persistent, string user)
    {
        var builder = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort).WithClientId(clientId)
            .WithProtocolVersion(version).WithCredentials(user, "").WithCleanSession(!persistent);
        if (persistent && version == MqttProtocolVersion.V500)
        {
            builder.WithSessionExpiryInterval(3600);
        }
        var options = builder.Build();
        var localPort = FreePort();
        ((MqttClientTcpOptions)options.ChannelOptions).LocalEndpoint = new IPEndPoint(IPAddress.Loopback, localPort);
        return (options, localPort);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
