using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>
/// MQTT clients are untrusted: real clients connect with markup, script, control characters, a
/// right-to-left override and very long text in their ids, user names and topics, and every page must
/// show them as inert text, run nothing, and keep its layout.
/// </summary>
public sealed partial class HostileInputTests(DashboardApp app) : DashboardPageTest(app), IAsyncLifetime
{
    // As long as the broker accepts (Broker:MaxClientIdLength, 1,024 bytes).
    private static readonly string LongId = "hostile-long-" + new string('W', 1_000);

    private static readonly (string ClientId, string User, string Topic)[] Clients =
    [
        ("<script>window.pwned='script'</script>", "<b>bold</b>", "hostile/<i>x</i>/#"),
        ("<img src=x onerror=\"window.pwned='img'\">", "<svg onload=window.pwned='svg'>", "hostile/img"),
        ("hostile-ctl-\u0001\u0007\u001b[31m", "user\u0008bs", "hostile/ctl"),
        ("hostile-\u202Eelif.exe", "\u202Euser", "hostile/rtl"),
        (LongId, new string('U', 5_000), "hostile/" + new string('T', 10_000)),
    ];

    private readonly List<IMqttClient> _clients = [];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var (clientId, user, topic) in Clients)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", App.MqttPort).WithClientId(clientId)
                .WithCredentials(user, "x").WithProtocolVersion(MqttProtocolVersion.V500)
                .WithCleanStart(false).WithSessionExpiryInterval(3600).Build();
            await client.ConnectAsync(options, TestContext.Current.CancellationToken);
            await client.SubscribeAsync(topic, cancellationToken: TestContext.Current.CancellationToken);
            _clients.Add(client);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisconnectAsync();
            client.Dispose();
        }
        await base.DisposeAsync();
    }

    [Fact]
    public async Task SessionsPage_HostileClients_ShownAsTextAndLayoutHolds()
    {
        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString("--client_id --user --topic --topic=~^hostile/"));

        await Expect(Cell(Clients[0].ClientId)).ToBeVisibleAsync();
        await Expect(Cell(Clients[1].ClientId)).ToBeVisibleAsync();
        await Expect(Cell(Clients[1].User)).ToBeVisibleAsync();
        await Expect(Cell("hostile/<i>x</i>/#")).ToBeVisibleAsync();
        // Control characters are shown escaped, never written raw into the page.
        await Expect(Cell("hostile-ctl-\\x01\\x07\\x1b[31m")).ToBeVisibleAsync();
        // (U+0000 itself is refused at connect: MQTT strings may not hold it.)
        await Expect(Cell("user\\x08bs")).ToBeVisibleAsync();
        // A right-to-left override would show "hostile-exe.file"; escaped, it cannot reorder anything.
        await Expect(Cell("hostile-\\u202eelif.exe")).ToBeVisibleAsync();
        // Anchored: the row's selection checkbox is named "Select hostile-long-…" in the cell before.
        await Expect(SessionsTable.GetByRole(AriaRole.Cell).Filter(new() { HasTextRegex = LongIdCell() })).ToHaveCountAsync(1);
        // Cut to 40 characters on screen, the value shows on hover: its first 1,000 characters.
        await Expect(SessionsTable.GetByRole(AriaRole.Link, new() { Name = LongId })).ToHaveAttributeAsync("title", LongId[..1_000] + "…");
        await AssertNothingRanAsync();
        await AssertNoHorizontalOverflowAsync();
        // The 20,000-character id is cut short in its cell, so the columns after it stay in view.
        await Expect(SessionsTable.GetByRole(AriaRole.Columnheader, new() { Name = "topic" })).ToBeInViewportAsync();
        await SaveScreenshotAsync("hostile-sessions");

        var row = SessionsTable.GetByRole(AriaRole.Row).Filter(new() { HasText = Clients[1].ClientId });
        await row.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync(Clients[1].ClientId);
        await AssertNothingRanAsync();
        await SaveScreenshotAsync("hostile-disconnect-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
    }

    [Fact]
    public async Task DetailPage_LongAndScriptIds_ShownAsTextAndLayoutHolds()
    {
        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString("--client_id --client_id=~^hostile-long-"));
        await SessionsTable.GetByRole(AriaRole.Link).First.ClickAsync();

        var heading = Page.GetByRole(AriaRole.Heading, new() { Level = 2 }).First;
        await Expect(heading).ToContainTextAsync("(813 more characters)");
        // The client_id field shows the start; the rest opens on demand, so the page stays a readable length.
        await Expect(Page.GetByText("713 more characters").First).ToBeVisibleAsync();
        var height = await Page.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
        Assert.True(height < 3_000, $"the page is {height}px tall");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Disconnect" })).ToBeInViewportAsync();
        await AssertNoHorizontalOverflowAsync();
        await SaveScreenshotAsync("hostile-detail-long");

        await Page.GotoAsync(App.BaseUrl + "/sessions/" + Uri.EscapeDataString(Clients[0].ClientId));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = Clients[0].ClientId })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(Page.GetByRole(AriaRole.Cell, new() { Name = Clients[0].User, Exact = true })).ToBeVisibleAsync();
        await AssertNothingRanAsync();
        await AssertNoHorizontalOverflowAsync();
    }

    [Fact]
    public async Task Wall_HostileClients_TickerShowsTextAndLayoutHolds()
    {
        await Page.GotoAsync(App.BaseUrl + "/wall?title=" + Uri.EscapeDataString("<script>window.pwned='title'</script>"));
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "<script>window.pwned='title'</script>" })).ToBeVisibleAsync();

        // A client arriving now shows in the ticker.
        var clientId = "<img src=y onerror=\"window.pwned='ticker'\">";
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", App.MqttPort).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500).Build(), TestContext.Current.CancellationToken);
        var ticker = Page.GetByRole(AriaRole.List, new() { Name = "Latest events" });
        await Expect(ticker).ToContainTextAsync(clientId);

        await AssertNothingRanAsync();
        await AssertNoHorizontalOverflowAsync();
        await SaveScreenshotAsync("hostile-wall");
        await client.DisconnectAsync(cancellationToken: TestContext.Current.CancellationToken);
    }

    private async Task AssertNothingRanAsync() =>
        Assert.Null(await Page.EvaluateAsync<string?>("() => window.pwned ?? null"));

    private async Task AssertNoHorizontalOverflowAsync()
    {
        var (scrollWidth, viewport) = (
            await Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"),
            await Page.EvaluateAsync<int>("() => window.innerWidth"));
        Assert.True(scrollWidth <= viewport, $"the page is {scrollWidth}px wide in a {viewport}px window");
    }

    [GeneratedRegex(@"^\s*hostile-long-WWWW")]
    private static partial Regex LongIdCell();
}
