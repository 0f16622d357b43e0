using System.Text;
using System.Text.RegularExpressions;
using Dashboard.Core.Sessions;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.E2E;

public sealed partial class SessionDetailTests(DashboardApp app) : DashboardPageTest(app)
{
    // A zone other than the machine's UTC, so the page visibly uses the browser's.
    public override BrowserNewContextOptions ContextOptions()
    {
        var options = base.ContextOptions();
        options.TimezoneId = "Europe/Berlin";
        return options;
    }

    [Fact]
    public async Task OpenFromGrid_RealClient_ShowsSubscriptionsQueuedPayloadsAndFollowsIt()
    {
        // A slash and a space in the id: it must survive the trip through the address.
        var clientId = "e2e-detail/" + Guid.NewGuid().ToString("N")[..8] + " kitchen";
        var factory = new MqttClientFactory();
        using var subscriber = factory.CreateMqttClient();
        var subscriberOptions = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", App.MqttPort).WithClientId(clientId)
            .WithCredentials("sensors", "")
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(false).WithSessionExpiryInterval(3600).Build();
        await subscriber.ConnectAsync(subscriberOptions, TestContext.Current.CancellationToken);
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("plant/+/temp", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("plant/+/raw", MqttQualityOfServiceLevel.ExactlyOnce)
            .Build(), TestContext.Current.CancellationToken);
        // Offline, so what is published next waits in its queue.
        await subscriber.DisconnectAsync(cancellationToken: TestContext.Current.CancellationToken);
        using (var publisher = factory.CreateMqttClient())
        {
            await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", App.MqttPort)
                .WithClientId("e2e-detail-publisher-" + Guid.NewGuid().ToString("N")[..8]).Build(), TestContext.Current.CancellationToken);
            await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("plant/1/temp")
                .WithPayload(Encoding.UTF8.GetBytes("21.5 °C")).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                TestContext.Current.CancellationToken);
            await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("plant/2/raw")
                .WithPayload(new byte[] { 0xff, 0x00, 0x10 }).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                TestContext.Current.CancellationToken);
            await publisher.DisconnectAsync(cancellationToken: TestContext.Current.CancellationToken);
        }

        await OpenSessionsAsync("/sessions?q=" + Uri.EscapeDataString($"--client_id --is_online --user '--client_id={clientId}'"));
        await SessionsTable.GetByRole(AriaRole.Link, new() { Name = clientId, Exact = true }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex(Regex.Escape(App.BaseUrl + "/sessions/" + Uri.EscapeDataString(clientId)) + "$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 2, Name = clientId, Exact = true })).ToBeVisibleAsync();
        var subscriptions = Page.GetByRole(AriaRole.Table, new() { Name = "Subscriptions" });
        await Expect(subscriptions.GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
        await Expect(subscriptions).ToContainTextAsync("plant/+/temp");
        await Expect(subscriptions).ToContainTextAsync("plant/+/raw");
        var messages = Page.GetByRole(AriaRole.Table, new() { Name = "Queued messages" });
        await Expect(messages.GetByRole(AriaRole.Row).Filter(new() { HasText = "plant/1/temp" })).ToContainTextAsync("21.5 °C");
        await Expect(messages.GetByRole(AriaRole.Row).Filter(new() { HasText = "plant/2/raw" })).ToContainTextAsync("0xff0010");
        await Expect(Page.GetByText("Times in your browser's time zone (Europe/Berlin")).ToBeVisibleAsync();
        var queueStarted = App.Store.Get(new QueueKey("", clientId))!.StartedAt;
        await Expect(Page.Locator($"time[title='{queueStarted}']").First).ToHaveTextAsync(
            TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(queueStarted), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"))
                .ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        await SaveScreenshotAsync("session-detail-offline-with-queue");

        // The client comes back: the page follows without a reload, its queue drains.
        await subscriber.ConnectAsync(subscriberOptions, TestContext.Current.CancellationToken);
        await Expect(Page.GetByText("No queued messages.")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.List, new() { Name = "Recent online/offline history" }).GetByRole(AriaRole.Listitem).First)
            .ToContainTextAsync("Online");
        await SaveScreenshotAsync("session-detail-online");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Reauthorize", Exact = true }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByRole(AriaRole.Textbox, new() { Name = "User name" })).ToHaveValueAsync("sensors");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reauthorize", Exact = true }).ClickAsync();
        var result = Page.GetByRole(AriaRole.Dialog).Filter(new() { HasText = "Reauthorized" });
        await Expect(result).ToContainTextAsync("Unchanged");
        await SaveScreenshotAsync("session-detail-reauthorize-result");
        await result.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();
        await Expect(result).ToHaveCountAsync(0);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
        await dialog.GetByRole(AriaRole.Checkbox, new() { Name = "Clean up session (delete subscriptions and queued messages)" }).CheckAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();

        // In the snackbar: an Admin also sees the same words in the session's audit entries on this page.
        await Expect(Page.Locator("#mud-snackbar-container").GetByText($"Disconnected {clientId} and cleaned up its session")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 2, Name = $"No session {clientId}" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.List, new() { Name = "Recent online/offline history" }).GetByRole(AriaRole.Listitem).First)
            .ToContainTextAsync("Session removed");
        await SaveScreenshotAsync("session-detail-gone");
    }

    [Fact]
    public async Task Open_UnknownClientWithOddCharacters_SaysNoSession()
    {
        const string clientId = "no such/client %41 ü";

        await Page.GotoAsync(App.BaseUrl + "/" + DetailLink(clientId));

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 2, Name = $"No session {clientId}", Exact = true }))
            .ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Page.GetByRole(AriaRole.Link, new() { Name = "Back to sessions" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/sessions"));
        await Expect(RunButton).ToBeVisibleAsync();
    }

    private static string DetailLink(string clientId) => "sessions/" + Uri.EscapeDataString(clientId);
}
