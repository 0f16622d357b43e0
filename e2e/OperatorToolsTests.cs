using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.E2E;

/// <summary>The app with small operator thresholds, so a test reaches them with a handful of packets.</summary>
public sealed class OperatorToolsApp : DashboardApp
{
    /// <summary>More than 3 connects within 60 s is flapping.</summary>
    public const int FlapConnects = 3;

    /// <summary>Half of a 10-message queue limit: 5 queued messages mark a queue.</summary>
    public const int QueuedThreshold = 5;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Flapping:Connects", "3"),
        new("Flapping:WindowSeconds", "60"),
        new("Broker:MaxQueuedMessages", "10"),
        new("QueueHealth:QueuedPercent", "50"),
        new("Trace:MaxPackets", "6"),
    ];
}

/// <summary>
/// The operator tools of docs/operator-tools.md in Chromium against real MQTT clients: a client
/// reconnecting in a loop is flagged in the grid, on its page and on the wall; a queue filling past its
/// threshold is marked and found by the quick filter and the wall's largest queues.
/// </summary>
public sealed class OperatorToolsTests(OperatorToolsApp app) : DashboardPageTest(app), IClassFixture<OperatorToolsApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<IMqttClient> ConnectAsync(string clientId, bool persistent = false, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        // No keep-alive ping within a test: a trace would show it among the packets it counts.
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", App.MqttPort).WithClientId(clientId).WithProtocolVersion(version)
            .WithKeepAlivePeriod(TimeSpan.FromMinutes(10));
        if (persistent)
        {
            options.WithCleanStart(false).WithSessionExpiryInterval(3600);
        }
        await client.ConnectAsync(options.Build(), Cancel);
        return client;
    }

    private ILocator Row(string clientId) => SessionsTable.GetByRole(AriaRole.Row).Filter(new() { Has = Page.GetByRole(AriaRole.Link, new() { Name = clientId, Exact = true }) });

    [Fact]
    public async Task ClientReconnectingInALoop_IsFlaggedInTheGridOnItsPageAndOnTheWall()
    {
        const string flapper = "ops-flap-loop";
        const string steady = "ops-flap-steady";
        using var calm = await ConnectAsync(steady);
        // Five connects within seconds: more than 3 within 60 s. The last connection stays up.
        IMqttClient? last = null;
        for (var i = 0; i < 5; i++)
        {
            last?.Dispose();
            last = await ConnectAsync(flapper, version: i % 2 == 0 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311);
            if (i < 4)
            {
                await last.DisconnectAsync(cancellationToken: Cancel);
            }
        }
        using var online = last!;

        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString("--client_id --reconnects --flapping --client_id=~^ops-flap-"));
        await Expect(Row(flapper)).ToContainTextAsync("Flapping");
        await Expect(Row(flapper).GetByRole(AriaRole.Cell).Nth(2)).ToHaveTextAsync("5");
        await Expect(Row(flapper).GetByRole(AriaRole.Cell).Nth(3)).ToHaveTextAsync("true");
        await Expect(Row(steady)).Not.ToContainTextAsync("Flapping");
        await Expect(Row(steady).GetByRole(AriaRole.Cell).Nth(3)).ToHaveTextAsync("false");

        // The quick filter narrows the grid to flapping clients.
        await Page.GetByRole(AriaRole.Group, new() { Name = "Quick filters" }).GetByRole(AriaRole.Button, new() { Name = "Flapping" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("flapping%3Dtrue"));
        await Expect(Row(flapper)).ToBeVisibleAsync();
        await Expect(Row(steady)).ToHaveCountAsync(0);

        // Its page: the badge and the five connect times.
        await Row(flapper).GetByRole(AriaRole.Link, new() { Name = flapper, Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 2, Name = flapper, Exact = true })).ToBeVisibleAsync();
        await Expect(Page.Locator(".detail-header").GetByText("Flapping", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.List, new() { Name = "Connect times, latest first" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(5);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "5 connects in the last minute" })).ToBeVisibleAsync();

        // The wall, scoped to this test's clients: the count and the worst.
        await Page.GotoAsync($"{App.BaseUrl}/wall?q={Uri.EscapeDataString("--client_id=~^ops-flap-")}");
        var panel = Page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex("^Flapping clients") });
        await Expect(panel.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Flapping clients 1", new() { Timeout = 30_000 });
        await Expect(panel.GetByRole(AriaRole.Listitem)).ToHaveTextAsync(new Regex($"^{flapper}\\s*5 connects$"));
        await SaveScreenshotAsync("wall-operator-panels");
    }

    [Fact]
    public async Task QueueFillingPastItsThreshold_IsMarkedFoundByTheQuickFilterAndOnTheWall()
    {
        const string subscriber = "ops-queue-fill";
        const string light = "ops-queue-light";
        foreach (var id in new[] { subscriber, light })
        {
            using var client = await ConnectAsync(id, persistent: true);
            await client.SubscribeAsync($"ops/queue/{id}", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
            await client.DisconnectAsync(cancellationToken: Cancel);
        }
        using var publisher = await ConnectAsync("ops-queue-publisher");
        // 6 messages for one (over the threshold of 5), 2 for the other.
        for (var i = 0; i < 6; i++)
        {
            await publisher.PublishStringAsync($"ops/queue/{subscriber}", $"m{i}", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        }
        for (var i = 0; i < 2; i++)
        {
            await publisher.PublishStringAsync($"ops/queue/{light}", $"m{i}", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        }

        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString("--client_id --queue_size --client_id=~^ops-queue-"));
        await Expect(Row(subscriber)).ToContainTextAsync("Queue 6");
        await Expect(Row(light)).ToBeVisibleAsync();
        await Expect(Row(light)).Not.ToContainTextAsync("Queue 2");

        await Page.GetByRole(AriaRole.Group, new() { Name = "Quick filters" }).GetByRole(AriaRole.Button, new() { Name = "Queues over threshold" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("queue_over_threshold%3Dtrue"));
        await Expect(Row(subscriber)).ToBeVisibleAsync();
        await Expect(Row(light)).ToHaveCountAsync(0);

        await Page.GotoAsync($"{App.BaseUrl}/wall?q={Uri.EscapeDataString("--client_id=~^ops-queue-")}");
        var largest = Page.GetByRole(AriaRole.List, new() { Name = "Largest queues" }).GetByRole(AriaRole.Listitem);
        await Expect(largest).ToHaveTextAsync([new Regex($"^{subscriber}\\s*6$"), new Regex($"^{light}\\s*2$")], new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task Trace_ShowsTheSubscribeAndPublishPacketsOfARealClientInOrder_AndStopsAtItsLimit()
    {
        const string clientId = "ops-trace-client";
        using var client = await ConnectAsync(clientId);
        await Page.GotoAsync($"{App.BaseUrl}/sessions/{clientId}");
        var card = Page.Locator(".trace-card");
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Start trace" })).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await card.GetByRole(AriaRole.Checkbox, new() { Name = "Show payloads" }).CheckAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Start trace" }).ClickAsync();
        await Expect(card.GetByRole(AriaRole.Status)).ToContainTextAsync("Tracing: 0 of at most 6 packets");

        await client.SubscribeAsync("ops/trace/t", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await client.PublishStringAsync("ops/trace/t", "hello trace", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);

        var rows = card.GetByRole(AriaRole.Table).Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(6);
        await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("Stopped after 6 packets, the limit");
        var types = await rows.Locator("td.type").AllInnerTextsAsync();
        // The client's own three come first in this order; the broker's PUBACK and its delivery may interleave.
        Assert.Equal(["SUBSCRIBE", "SUBACK", "PUBLISH"], types.Take(3));
        Assert.Equal(["PUBACK", "PUBACK", "PUBLISH", "PUBLISH", "SUBACK", "SUBSCRIBE"], types.Order(StringComparer.Ordinal));
        await Expect(rows.Nth(0)).ToContainTextAsync("client → broker");
        await Expect(rows.Nth(0)).ToContainTextAsync("ops/trace/t");
        await Expect(rows.Nth(1)).ToContainTextAsync("broker → client");
        await Expect(rows.Nth(1)).ToContainTextAsync("GrantedQoS1");
        await Expect(rows.Nth(2)).ToContainTextAsync("hello trace");
        var delivery = rows.Filter(new() { HasText = "broker → client" }).Filter(new() { Has = Page.Locator("td.type", new() { HasTextString = "PUBLISH" }) });
        await Expect(delivery).ToContainTextAsync("hello trace");

        // Past the limit nothing more is recorded.
        await client.PublishStringAsync("ops/trace/t", "after the limit", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await Expect(rows).ToHaveCountAsync(6);
        await Expect(card).Not.ToContainTextAsync("after the limit");
        await SaveScreenshotAsync("trace");

        // Starting it is audited.
        await Page.GotoAsync($"{App.BaseUrl}/audit");
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "session.trace" }).Filter(new() { HasText = clientId }).First).ToContainTextAsync("Started");
    }
}
