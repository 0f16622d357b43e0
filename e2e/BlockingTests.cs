using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dashboard.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>
/// Blocking a client (docs/blocking.md): blocks made in Chromium (the blocks page, the grid's "Disconnect and
/// block for 1 hour", the session page's Block) and over the API, enforced by the embedded broker on real
/// MQTTnet and mosquitto clients. The expected answers are the protocols', written down here: MQTT 5
/// CONNACK reason 0x8A = 138 (Banned); MQTT 3.1.1 CONNACK return code 5, "not authorised" in mosquitto's
/// words; a disconnect by the dashboard is reason 0x98 (administrative action) for MQTT 5.
/// </summary>
public sealed class BlockingTests(DashboardApp app) : DashboardPageTest(app)
{
    /// <summary>MQTT 5 §3.2.2.2: CONNACK reason code 0x8A, Banned.</summary>
    private const int Banned = 0x8A;

    /// <summary>What MQTTnet's client reports for an MQTT 3.1.1 CONNACK return code 5 (it shares MQTT 5's 0x87 name).</summary>
    private const MqttClientConnectResultCode NotAuthorized311 = MqttClientConnectResultCode.NotAuthorized;

    private static readonly float Interactive = 30_000;

    private readonly List<IMqttClient> _clients = [];
    private readonly string _scope = "e2e-block-" + Guid.NewGuid().ToString("N")[..8];

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
    public async Task BlocksPage_ClientIdWithExpiry_RefusedOnMqtt5And311UntilItExpires_ThenRemovedAndAudited()
    {
        var clientId = _scope + "-page";
        await Page.GotoAsync(App.BaseUrl + "/blocks");
        var form = Page.GetByRole(AriaRole.Form, new() { Name = "Block clients" });
        var block = form.GetByRole(AriaRole.Button, new() { Name = "Block", Exact = true });
        await Expect(block).ToBeEnabledAsync(new() { Timeout = Interactive });

        // Bad input first: a message, and nothing added.
        await form.GetByLabel("Match").FillAsync(clientId);
        await form.GetByLabel("Reason").FillAsync("flooding the broker");
        await form.GetByLabel("Expires after").FillAsync("soon");
        await block.ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Invalid expiry \"soon\"");
        await Expect(BlockRow(clientId)).ToHaveCountAsync(0);

        // Long enough to try both protocol versions on a busy machine; the test then waits it out.
        await form.GetByLabel("Expires after").FillAsync("20s");
        await block.ClickAsync();
        await Expect(BlockRow(clientId)).ToContainTextAsync("Active");
        await Expect(BlockRow(clientId)).ToContainTextAsync("flooding the broker");
        await SaveScreenshotAsync("blocks-page-active");

        Assert.Equal(Banned, (int)await TryConnectAsync(clientId, MqttProtocolVersion.V500));
        Assert.Equal(NotAuthorized311, await TryConnectAsync(clientId, MqttProtocolVersion.V311));
        // A client nobody on this team wrote says the same in its own words.
        Assert.Contains("not authorised", await MosquittoPubAsync(clientId), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(MqttClientConnectResultCode.Success, await TryConnectAsync(clientId + "-other", MqttProtocolVersion.V500));

        // Expiry lets it back: retried for at most a minute, not timed.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        MqttClientConnectResultCode result;
        while ((result = await TryConnectAsync(clientId, MqttProtocolVersion.V311)) != MqttClientConnectResultCode.Success && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500, Cancel);
        }
        Assert.Equal(MqttClientConnectResultCode.Success, result);
        await Expect(BlockRow(clientId)).ToContainTextAsync("Expired");

        await Page.GetByRole(AriaRole.Button, new() { Name = $"Remove block {BlockId(clientId)}" }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync($"Remove the block of the client id {clientId}?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(BlockRow(clientId)).ToHaveCountAsync(0);

        var audit = App.Services.GetRequiredService<AuditLog>().Query(new AuditQuery { Target = clientId }).Value.Entries;
        Assert.Equal(["block.remove", "block.add"], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal("admin", e.Actor));
    }

    [Fact]
    public async Task Grid_DisconnectAndBlockForOneHour_ClosesTheClientAndRefusesItsReturn()
    {
        var clientId = _scope + "-grid";
        var (client, disconnected) = await ConnectAsync(clientId, MqttProtocolVersion.V500);
        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString($"--client_id --is_online --client_id={clientId}"));
        await Expect(Cell(clientId)).ToBeVisibleAsync();

        var row = SessionsTable.GetByRole(AriaRole.Row).Filter(new() { HasText = clientId });
        var block = row.GetByRole(AriaRole.Button, new() { Name = "Disconnect and block for 1 hour" });
        await Expect(block).ToHaveAttributeAsync("title", "Disconnect this client and refuse its client id for 1 hour");
        await block.ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        var confirm = dialog.GetByRole(AriaRole.Button, new() { Name = "Disconnect and block", Exact = true });
        await Expect(confirm).ToBeDisabledAsync();
        await dialog.GetByLabel("Reason").FillAsync("stuck in a reconnect loop");
        await confirm.ClickAsync();

        await Expect(Page.Locator("#mud-snackbar-container")).ToContainTextAsync($"Blocked the client id {clientId} until");
        Assert.Equal(DisconnectReasons.ForMqtt5, (await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel)).Reason);
        Assert.False(client.IsConnected);
        // A clean-session client leaves no session behind once its connection is closed.
        await Expect(Row(clientId)).ToHaveCountAsync(0);
        await SaveScreenshotAsync("blocks-grid-disconnected");

        Assert.Equal(Banned, (int)await TryConnectAsync(clientId, MqttProtocolVersion.V500));
        var stored = Assert.Single(App.Services.GetRequiredService<ClientBlockStore>().List(), b => b.Pattern == clientId);
        Assert.Equal("stuck in a reconnect loop", stored.Reason);
        // "for 1 hour", from when it was made; the clock is the app's own.
        Assert.InRange((stored.Expires!.Value - stored.Created).TotalSeconds, 3599, 3601);
        Remove(stored.Id);
    }

    [Fact]
    public async Task Detail_BlockUserName_DisconnectsEachClientOfThatUserAndRefusesIt()
    {
        var user = _scope + "-user";
        var (_, firstGone) = await ConnectAsync(_scope + "-u1", MqttProtocolVersion.V500, user);
        var (_, secondGone) = await ConnectAsync(_scope + "-u2", MqttProtocolVersion.V500, user);
        var (bystander, _) = await ConnectAsync(_scope + "-bystander", MqttProtocolVersion.V500, "someone-else");

        // Through the grid, so the detail page opens in a circuit that already answers clicks.
        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString($"--client_id --client_id={_scope}-u1"));
        await SessionsTable.GetByRole(AriaRole.Link, new() { Name = _scope + "-u1", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Block", Exact = true }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Radio, new() { Name = $"Its user name, {user}" }).CheckAsync();
        await dialog.GetByLabel("Expires after").FillAsync("");
        await dialog.GetByLabel("Reason").FillAsync("leaked credentials");
        await SaveScreenshotAsync("blocks-detail-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Block", Exact = true }).ClickAsync();

        await Expect(Page.Locator("#mud-snackbar-container")).ToContainTextAsync($"Blocked the user name {user} with no expiry; disconnected 2 clients");
        Assert.Equal(DisconnectReasons.ForMqtt5, (await firstGone.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel)).Reason);
        Assert.Equal(DisconnectReasons.ForMqtt5, (await secondGone.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel)).Reason);
        Assert.True(bystander.IsConnected);

        Assert.Equal(NotAuthorized311, await TryConnectAsync(_scope + "-u3", MqttProtocolVersion.V311, user));
        Assert.Equal(Banned, (int)await TryConnectAsync(_scope + "-u3", MqttProtocolVersion.V500, user));
        Assert.Equal(MqttClientConnectResultCode.Success, await TryConnectAsync(_scope + "-u3", MqttProtocolVersion.V500, "someone-else"));
        Remove(Assert.Single(App.Services.GetRequiredService<ClientBlockStore>().List(), b => b.Pattern == user).Id);
    }

    [Fact]
    public async Task Api_AddListRemove_CidrBlockRefusesThatNetworkOnly_AndBadInputIs400()
    {
        using var http = ApiClient(ApiKeyScope.Mgmt);
        // 127.0.0.0/8 is all loopback on Linux: clients bound to 127.0.0.64/30 stand for another network.
        var (inside, insideGone) = await ConnectAsync(_scope + "-cidr-in", MqttProtocolVersion.V500, from: "127.0.0.66");
        var (outside, _) = await ConnectAsync(_scope + "-cidr-out", MqttProtocolVersion.V500, from: "127.0.0.70");

        using var added = await http.PostAsJsonAsync("/api/v1/blocks",
            new { kind = "peer_address", pattern = "127.0.0.64/30", reason = "test network", expires_in = "1h" }, Cancel);
        var addedBody = await added.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var id = addedBody.GetProperty("block").GetProperty("id").GetInt64();
        Assert.Equal("127.0.0.64/30", addedBody.GetProperty("block").GetProperty("pattern").GetString());
        Assert.Equal([_scope + "-cidr-in"], addedBody.GetProperty("disconnected").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(DisconnectReasons.ForMqtt5, (await insideGone.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel)).Reason);
        Assert.False(inside.IsConnected);
        Assert.True(outside.IsConnected);
        Assert.Equal(Banned, (int)await TryConnectAsync(_scope + "-cidr-2", MqttProtocolVersion.V500, from: "127.0.0.67"));
        Assert.Equal(NotAuthorized311, await TryConnectAsync(_scope + "-cidr-2", MqttProtocolVersion.V311, from: "127.0.0.65"));
        Assert.Equal(MqttClientConnectResultCode.Success, await TryConnectAsync(_scope + "-cidr-2", MqttProtocolVersion.V500, from: "127.0.0.68"));

        var list = await http.GetFromJsonAsync<JsonElement>("/api/v1/blocks", Cancel);
        var listed = Assert.Single(list.GetProperty("blocks").EnumerateArray(), b => b.GetProperty("id").GetInt64() == id);
        Assert.Equal("peer_address", listed.GetProperty("kind").GetString());
        Assert.True(listed.GetProperty("active").GetBoolean());
        Assert.Equal("key:" + _scope + "-mgmt", listed.GetProperty("created_by").GetString());

        // The same network again while it is blocked: refused, nothing added.
        Assert.Equal((HttpStatusCode.BadRequest, $"The peer address 127.0.0.64/30 is already blocked (block {id})"),
            await PostAsync(http, """{"kind":"peer_address","pattern":"127.0.0.64/30","reason":"again"}"""));

        using (var removed = await http.DeleteAsync($"/api/v1/blocks/{id}", Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }
        Assert.Equal(MqttClientConnectResultCode.Success, await TryConnectAsync(_scope + "-cidr-2", MqttProtocolVersion.V500, from: "127.0.0.67"));
        using (var again = await http.DeleteAsync($"/api/v1/blocks/{id}", Cancel))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Equal($"No block {id}: it was removed already, or never existed", AlertText(await again.Content.ReadAsStringAsync(Cancel)));
        }

        var before = App.Services.GetRequiredService<ClientBlockStore>().List().Count;
        (string Body, string Message)[] bad =
        [
            ("""{"kind":"peer_address","pattern":"10.0.0.5/8","reason":"r"}""", "\"10.0.0.5/8\" has bits set after the /8 prefix; the network is 10.0.0.0/8"),
            ("""{"kind":"peer_address","pattern":"10.0.0.0/40","reason":"r"}""", "\"10.0.0.0/40\" is not a CIDR network: the prefix length must be a number from 0 to 32"),
            ("""{"kind":"ip","pattern":"x","reason":"r"}""", "Unknown block kind \"ip\": client_id, client_id_pattern, user, peer_address"),
            ("""{"kind":"client_id","pattern":"x","reason":"r","expires_in":"forever"}""", "Invalid expiry \"forever\": a number with s, m, h or d (30s, 15m, 1h, 7d), or empty for never"),
            ("""{"kind":"client_id","pattern":"x","reason":"r","expires":"2001-01-01T00:00:00Z"}""", "The expiry is in the past: a block must end after now, or never"),
            ("""{"kind":"client_id","pattern":"x","reason":"r","expires":"next tuesday"}""", "\"expires\" is not a time: \"next tuesday\" (ISO 8601, e.g. 2030-01-31T12:00:00Z)"),
            ("""{"kind":"client_id","pattern":"x"}""", "A reason is required: say why the client is blocked"),
            ("""{"kind":"client_id","pattern":5,"reason":"r"}""", "\"pattern\" must be a string"),
            ($$"""{"kind":"client_id","pattern":"{{new string('x', 5000)}}","reason":"r"}""", "The client id is 5,000 characters long; at most 1,024 can be blocked"),
            ("""[1,2]""", "Send the block as a JSON object: {\"kind\": \"client_id\", \"pattern\": \"...\", \"reason\": \"...\"}"),
            ("""{"kind":""", null!),
        ];
        foreach (var (body, message) in bad)
        {
            var (status, text) = await PostAsync(http, body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            if (message is not null)
            {
                Assert.Equal(message, text);
            }
            else
            {
                Assert.StartsWith("The request body is not valid JSON", text, StringComparison.Ordinal);
            }
        }
        Assert.Equal((HttpStatusCode.BadRequest, "The request body is over 64 KB; a block request is a small JSON object"),
            await PostAsync(http, $$"""{"kind":"client_id","pattern":"{{new string('x', 70_000)}}","reason":"r"}"""));
        using (var notNumber = await http.DeleteAsync("/api/v1/blocks/abc", Cancel))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notNumber.StatusCode);
        }
        Assert.Equal(before, App.Services.GetRequiredService<ClientBlockStore>().List().Count);

        using var reader = ApiClient(ApiKeyScope.Read);
        using (var forbidden = await reader.GetAsync("/api/v1/blocks", Cancel))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }
        using var anonymous = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        using (var unauthorized = await anonymous.GetAsync("/api/v1/blocks", Cancel))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }
    }

    private ILocator BlockRow(string pattern) =>
        Page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Row).Filter(new() { Has = Page.GetByText(pattern, new() { Exact = true }) });

    private ILocator Row(string clientId) => SessionsTable.GetByRole(AriaRole.Row).Filter(new() { HasText = clientId });

    private long BlockId(string pattern) =>
        App.Services.GetRequiredService<ClientBlockStore>().List().Single(b => b.Pattern == pattern).Id;

    private void Remove(long id) => Assert.True(App.Services.GetRequiredService<ClientBlockStore>().Remove(id, "e2e").IsSuccess);

    private HttpClient ApiClient(ApiKeyScope scope)
    {
        var http = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        var key = App.Services.GetRequiredService<ApiKeyStore>().Create(_scope + "-" + scope.ToString().ToLowerInvariant(), scope, null, "e2e");
        http.DefaultRequestHeaders.Add("x-api-key", key.Value.Secret);
        return http;
    }

    private static async Task<(HttpStatusCode Status, string Message)> PostAsync(HttpClient http, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var answer = await http.PostAsync("/api/v1/blocks", content, Cancel);
        return (answer.StatusCode, AlertText(await answer.Content.ReadAsStringAsync(Cancel)));
    }

    private static string AlertText(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("alert")[0].GetProperty("text").GetString()!;

    /// <summary>Options for the app's broker, from <paramref name="from"/> (a loopback address) when given.</summary>
    private MqttClientOptions OptionsFor(string clientId, MqttProtocolVersion version, string? user, string? from)
    {
        var builder = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", App.MqttPort).WithClientId(clientId)
            .WithProtocolVersion(version).WithTimeout(TimeSpan.FromSeconds(10));
        if (user is not null)
        {
            builder.WithCredentials(user, "");
        }
        var options = builder.Build();
        if (from is not null)
        {
            ((MqttClientTcpOptions)options.ChannelOptions).LocalEndpoint = new IPEndPoint(IPAddress.Parse(from), 0);
        }
        return options;
    }

    private async Task<MqttClientConnectResultCode> TryConnectAsync(string clientId, MqttProtocolVersion version, string? user = null, string? from = null)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(OptionsFor(clientId, version, user, from), Cancel);
        if (client.IsConnected)
        {
            await client.DisconnectAsync(cancellationToken: Cancel);
        }
        return result.ResultCode;
    }

    private async Task<(IMqttClient Client, TaskCompletionSource<MqttClientDisconnectedEventArgs> Disconnected)> ConnectAsync(
        string clientId, MqttProtocolVersion version, string? user = null, string? from = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += args =>
        {
            disconnected.TrySetResult(args);
            return Task.CompletedTask;
        };
        var result = await client.ConnectAsync(OptionsFor(clientId, version, user, from), Cancel);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        // Online in the store, so a block finds it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (App.Store.Get(new Core.Sessions.QueueKey("", clientId)) is not { IsOnline: true } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Cancel);
        }
        return (client, disconnected);
    }

    /// <summary>Debian's mosquitto_pub over MQTT 3.1.1; what it printed (it exits on a refused CONNACK).</summary>
    private async Task<string> MosquittoPubAsync(string clientId)
    {
        var info = new ProcessStartInfo("/usr/bin/mosquitto_pub")
        {
            ArgumentList = { "-h", "127.0.0.1", "-p", App.MqttPort.ToString(CultureInfo.InvariantCulture), "-V", "mqttv311", "-i", clientId, "-t", "blocks/test", "-m", "x" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto_pub did not start");
        var output = process.StandardOutput.ReadToEndAsync(Cancel);
        var error = process.StandardError.ReadToEndAsync(Cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return await output + await error;
    }
}
