using System.Text.RegularExpressions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Playwright;

namespace Dashboard.E2E;

public sealed partial class SessionsPageTests(DashboardApp app) : DashboardPageTest(app)
{
    [Fact]
    public async Task Open_Root_ShowsSessionsPageWithQueryBoxAndTable()
    {
        Connect("demo-sensor-kitchen", 51012, user: "sensors");
        Connect("demo-sensor-garage", 51018, user: "sensors");
        Connect("demo-wallpanel", 49770, user: null);
        Connect("demo-backup-agent", 50444, user: "backup", clean: false);
        App.Store.Apply(new ClientDisconnected(Key("demo-backup-agent")));

        await OpenSessionsAsync("/");

        await Expect(Page).ToHaveURLAsync(SessionsPath());
        await Expect(Page).ToHaveTitleAsync("MQTT Sessions");
        await Expect(QueryBox).ToBeVisibleAsync();
        await Expect(SessionsTable).ToBeVisibleAsync();
        foreach (var header in new[] { "client_id", "is_online", "mountpoint", "peer_host", "peer_port", "user" })
        {
            await Expect(SessionsTable.GetByRole(AriaRole.Columnheader, new() { Name = header })).ToBeVisibleAsync();
        }
        await Expect(Cell("demo-sensor-kitchen")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Group, new() { Name = "Session counts" })).ToContainTextAsync("offline");
        await SaveScreenshotAsync("sessions-page");
    }

    [Fact]
    public async Task StoreChange_AfterLoad_RowAppearsWithoutReload()
    {
        var clientId = "e2e-live-" + Guid.NewGuid().ToString("N")[..8];
        await OpenSessionsAsync();
        // A full reload would drop this marker.
        await Page.EvaluateAsync("() => window.e2eLoadMarker = 42");

        Connect(clientId, 43210);

        await Expect(Cell(clientId)).ToBeVisibleAsync();
        await Expect(SessionsTable.GetByRole(AriaRole.Row).Filter(new() { HasText = clientId })).ToContainTextAsync("43210");
        Assert.Equal(42, await Page.EvaluateAsync<int>("() => window.e2eLoadMarker"));
    }

    [Fact]
    public async Task Run_RegexQuery_FiltersRows()
    {
        Connect("e2e-filter-alpha", 1001);
        Connect("e2e-filter-beta", 1002);
        Connect("e2e-unfiltered", 1003);
        await OpenSessionsAsync();
        await Expect(Cell("e2e-unfiltered")).ToBeVisibleAsync();

        await QueryBox.FillAsync("--client_id --client_id=~^e2e-filter-");
        await QueryBox.PressAsync("Enter");

        await Expect(Cell("e2e-filter-alpha")).ToBeVisibleAsync();
        await Expect(Cell("e2e-filter-beta")).ToBeVisibleAsync();
        await Expect(Cell("e2e-unfiltered")).ToHaveCountAsync(0);
        // The selection checkboxes, the one chosen field, then the row actions.
        await Expect(SessionsTable.GetByRole(AriaRole.Columnheader)).ToHaveCountAsync(3);
        await Expect(Page).ToHaveURLAsync(QueryInUrl());
    }

    [Fact]
    public async Task ColumnChooser_TickTopic_AddsColumnAndPutsItInQuery()
    {
        var clientId = "e2e-columns-" + Guid.NewGuid().ToString("N")[..8];
        Connect(clientId, 2001);
        // A topic of this test's own: other tests' clients on the shared app subscribe to plant/+/temp.
        var topic = clientId + "/+/temp";
        App.Store.Apply(new SubscriptionAdded(Key(clientId), new Subscription(topic, 1)));
        await OpenSessionsAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "Columns", Exact = true }).ClickAsync();
        var chooser = Page.GetByRole(AriaRole.Group, new() { Name = "Choose columns" });
        await Expect(chooser).ToContainTextAsync("Subscribed topic filter");
        await SaveScreenshotAsync("column-chooser");
        await chooser.GetByRole(AriaRole.Checkbox, new() { Name = "topic", Exact = true }).CheckAsync();

        await Expect(SessionsTable.GetByRole(AriaRole.Columnheader, new() { Name = "topic" })).ToBeVisibleAsync();
        await Expect(Cell(topic)).ToBeVisibleAsync();
        await Expect(QueryBox).ToHaveValueAsync("--client_id --is_online --mountpoint --peer_host --peer_port --user --topic");
        await SaveScreenshotAsync("sessions-with-topic-column");
    }

    private void Connect(string clientId, int port, string? user = null, bool clean = true) =>
        App.Store.Apply(new ClientConnected(Key(clientId), clean, user, "127.0.0.1", port, 4));

    private static QueueKey Key(string clientId) => new("", clientId);

    [GeneratedRegex("/sessions$")]
    private static partial Regex SessionsPath();

    [GeneratedRegex(@"/sessions\?q=--client_id")]
    private static partial Regex QueryInUrl();
}
