using System.Text;
using AngleSharp.Dom;
using Bunit;
using Dashboard.Components;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core.Actions;
using Dashboard.Core.Live;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Components.Pages.Sessions;

public class SessionDetailPageTests : DashboardTestContext
{
    // The context's clock starts here: 2019-02-05 15:19:23.575 UTC.
    private const long StartMs = 1549379963575;

    public SessionDetailPageTests()
    {
        // Started before any event, as the app starts it with the host.
        Services.GetRequiredService<SessionHistory>();
    }

    [Fact]
    public void Render_OnlineSession_ShowsEveryFieldSubscriptionsAndQueuedMessages()
    {
        Connect("client1", 37094, user: "sensors", clean: false);
        Store.Apply(new SubscriptionAdded(Key("client1"), new Subscription("plant/+/temp", 1, RetainAsPublished: true, NoLocal: false)));
        Subscribe("client1", "some/topic");
        Queue("client1", "m1", "plant/1/temp", Encoding.UTF8.GetBytes("thepayload"));
        Queue("client1", "m2", "plant/2/raw", [0xff, 0x00, 0x10]);

        var cut = RenderDetail("client1");

        Assert.Equal("client1", cut.Find("h2").TextContent);
        var names = cut.FindAll("th").Select(th => th.TextContent.Trim()).ToHashSet();
        Assert.All(FieldCatalog.All, field => Assert.Contains(field.Name, names));
        Assert.Equal("37094", Value(cut, "peer_port"));
        Assert.Equal("sensors", Value(cut, "user"));
        Assert.Equal("online", Value(cut, "statename"));
        Assert.Equal("2", Value(cut, "queue_size"));
        var subscriptions = cut.FindAll(".subscriptions-table tbody tr");
        Assert.Equal(["plant/+/temp", "some/topic"], subscriptions.Select(tr => tr.QuerySelector("td.topic")!.TextContent.Trim()));
        Assert.Equal("true", subscriptions[0].QuerySelector("td.rap")!.TextContent.Trim());
        Assert.Equal("1", subscriptions[0].QuerySelector("td.qos")!.TextContent.Trim());
        Assert.Equal("thepayload", cut.Find(".messages-table tbody tr:nth-child(1) .payload-value.text").TextContent);
        Assert.Equal("0xff0010", cut.Find(".messages-table tbody tr:nth-child(2) .payload-value.hex").TextContent);
        Assert.Equal("3 bytes", cut.Find(".messages-table tbody tr:nth-child(2) td.size").TextContent);
        Assert.Equal(["Online", "Session created"], cut.FindAll(".history .event-kind").Select(e => e.TextContent));
    }

    [Fact]
    public void Render_Timestamps_LocalTimeWithEpochMsOnHover()
    {
        JSInterop.SetupModule("./" + BrowserTimeZone.ModuleName)
            .Setup<BrowserZone?>("timeZone").SetResult(new BrowserZone("Europe/Berlin", 60));
        Connect("client1", 37094);

        var cut = RenderDetail("client1");

        cut.WaitForAssertion(() => Assert.Contains("Europe/Berlin, UTC+01:00", cut.Find(".zone-note").TextContent, StringComparison.Ordinal));
        var started = cut.FindAll("tr").Single(tr => tr.QuerySelector("th")?.TextContent == "session_started_at").QuerySelector("time")!;
        Assert.Equal("2019-02-05 16:19:23", started.TextContent);
        Assert.Equal(StartMs.ToString(System.Globalization.CultureInfo.InvariantCulture), started.GetAttribute("title"));
    }

    [Fact]
    public void Render_BrowserZoneUnknown_ShowsUtcAndSaysSo()
    {
        Connect("client1", 37094);

        var cut = RenderDetail("client1");

        Assert.Contains("Times in UTC", cut.Find(".zone-note").TextContent, StringComparison.Ordinal);
        Assert.Equal("2019-02-05 15:19:23", cut.Find("time[title='1549379963575']").TextContent);
    }

    [Fact]
    public void Render_HostileStrings_StayText()
    {
        const string hostile = "<img src=x onerror=alert(1)>/a%2Fb";
        Connect(hostile, 1, user: "<b>boss</b>");
        Store.Apply(new SubscriptionAdded(Key(hostile), new Subscription("<script>alert(1)</script>", 0)));
        Queue(hostile, "m1", "t", Encoding.UTF8.GetBytes("<svg onload=alert(1)>"));

        var cut = RenderDetail(hostile);

        Assert.Equal(hostile, cut.Find("h2").TextContent);
        Assert.Equal("<b>boss</b>", Value(cut, "user"));
        Assert.Equal("<script>alert(1)</script>", cut.Find("td.topic").TextContent.Trim());
        Assert.Equal("<svg onload=alert(1)>", cut.Find(".payload-value").TextContent);
        Assert.Empty(cut.FindAll("img, script, svg[onload], b"));
    }

    [Fact]
    public void Render_ControlCharactersInClientId_ShownEscaped()
    {
        const string evil = "evil\u001b[2J";
        Connect(evil, 1);

        var cut = RenderDetail(evil);

        Assert.Equal("evil\\x1b[2J", cut.Find("h2").TextContent);
    }

    [Fact]
    public void Render_UnknownClient_SaysNoSession()
    {
        var cut = RenderDetail("ghost");

        Assert.Equal("No session ghost", cut.Find("h2").TextContent);
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Trim() is "Disconnect" or "Reauthorize");
        Assert.Equal("sessions", cut.FindAll("a").Single(a => a.TextContent.Trim() == "Back to sessions").GetAttribute("href"));
    }

    [Fact]
    public void Render_GoneCleanSession_SaysNoSessionAndShowsHowItLeft()
    {
        Connect("client1", 1, clean: true);
        Disconnect("client1");

        var cut = RenderDetail("client1");

        Assert.Equal("No session client1", cut.Find("h2").TextContent);
        Assert.Equal(["Session removed", "Offline", "Online", "Session created"], cut.FindAll(".history .event-kind").Select(e => e.TextContent));
    }

    [Fact]
    public void Render_Mountpoint_ShowsThatQueueOnly()
    {
        Store.Apply(new ClientConnected(new QueueKey("plant", "client1"), false, "a", "127.0.0.1", 1111, 4));
        Store.Apply(new ClientConnected(new QueueKey("", "client1"), false, "b", "127.0.0.1", 2222, 4));

        var cut = RenderDetail("client1", "plant");

        Assert.Equal("plant", Value(cut, "mountpoint"));
        Assert.Equal("1111", Value(cut, "peer_port"));
    }

    [Fact]
    public void StoreChange_AfterRender_PageFollows()
    {
        Connect("client1", 37094, clean: false);
        var cut = RenderDetail("client1");
        Assert.Contains("No subscriptions.", cut.Markup, StringComparison.Ordinal);

        Subscribe("client1", "late/topic");
        Queue("client1", "m1", "late/topic", Encoding.UTF8.GetBytes("late payload"));
        Disconnect("client1");
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Equal("late/topic", cut.Find("td.topic").TextContent.Trim()));
        Assert.Equal("late payload", cut.Find(".payload-value").TextContent);
        Assert.Equal("offline", Value(cut, "statename"));
        Assert.Equal("undefined", Value(cut, "peer_port"));
        Assert.Equal("Offline", cut.FindAll(".history .event-kind")[0].TextContent);
    }

    [Fact]
    public void StoreChange_ClientAppears_NoSessionBecomesDetail()
    {
        var cut = RenderDetail("client1");
        Assert.Equal("No session client1", cut.Find("h2").TextContent);

        Connect("client1", 37094);
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Equal("client1", cut.Find("h2").TextContent));
    }

    [Fact]
    public void Disconnect_Confirm_DisconnectsThisQueue()
    {
        Store.Apply(new ClientConnected(new QueueKey("plant", "client1"), false, null, "127.0.0.1", 1111, 4));
        var (dialogs, snackbars) = RenderProviders();
        var cut = RenderDetail("client1", "plant");

        PageButton(cut, "Disconnect").Click();
        dialogs.WaitForAssertion(() => Assert.Equal("client1", dialogs.Find(".mud-dialog-title .client-id").TextContent));
        DialogButton(dialogs, "Disconnect").Click();

        cut.WaitForAssertion(() => Assert.Equal(
            new DisconnectRequest { ClientId = "client1", Mountpoint = "plant", Cleanup = false }, Assert.Single(SessionControl.Disconnects)));
        snackbars.WaitForAssertion(() => Assert.Contains("Disconnected client1", snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Reauthorize_SomethingRemoved_ListsRemovedAndAdded()
    {
        SessionControl.ReauthorizeAnswer = request => new ReauthorizeResult(
            request.ClientId, true, ["plant/secret", "<b>x</b>"], [new Subscription("plant/public", 1)]);
        Connect("client1", 37094, user: "sensors");
        var (dialogs, _) = RenderProviders();
        var cut = RenderDetail("client1");

        PageButton(cut, "Reauthorize").Click();
        dialogs.WaitForAssertion(() => Assert.Equal("sensors", dialogs.Find(".reauthorize-dialog input").GetAttribute("value")));
        DialogButton(dialogs, "Reauthorize").Click();

        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find(".reauthorize-result-dialog")));
        Assert.Equal(new ReauthorizeRequest { User = "sensors", ClientId = "client1" }, Assert.Single(SessionControl.Reauthorizations));
        Assert.Equal(["Removed", "Added"], dialogs.FindAll(".reauthorize-result-dialog h3").Select(h => h.TextContent));
        Assert.Equal(["plant/secret", "<b>x</b>"], dialogs.FindAll("ul[aria-label='Removed'] li").Select(li => li.TextContent));
        Assert.Equal("plant/public QoS 1", dialogs.Find("ul[aria-label='Added'] li").TextContent);
        Assert.Empty(dialogs.FindAll(".reauthorize-result-dialog b"));
        Assert.DoesNotContain("Unchanged", dialogs.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Reauthorize_NothingChanged_SaysUnchanged()
    {
        SessionControl.ReauthorizeAnswer = request => new ReauthorizeResult(request.ClientId, true, [], []);
        Connect("client1", 37094, user: "sensors");
        var (dialogs, snackbars) = RenderProviders();
        var cut = RenderDetail("client1");

        PageButton(cut, "Reauthorize").Click();
        dialogs.WaitForAssertion(() => DialogButton(dialogs, "Reauthorize").Click());

        dialogs.WaitForAssertion(() => Assert.Equal("Unchanged", dialogs.Find(".reauthorize-result-dialog .unchanged").TextContent));
        Assert.Empty(dialogs.FindAll(".reauthorize-result-dialog h3"));
        snackbars.WaitForAssertion(() => Assert.Contains("Unchanged", snackbars.Markup, StringComparison.Ordinal));
        DialogButton(dialogs, "Close").Click();
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll(".reauthorize-result-dialog")));
    }

    [Fact]
    public void Reauthorize_ClientGone_SaysNoSessionWithoutResultDialog()
    {
        SessionControl.ReauthorizeAnswer = request => new ReauthorizeResult(request.ClientId, false, [], []);
        Connect("client1", 37094, user: "sensors");
        var (dialogs, snackbars) = RenderProviders();
        var cut = RenderDetail("client1");

        PageButton(cut, "Reauthorize").Click();
        dialogs.WaitForAssertion(() => DialogButton(dialogs, "Reauthorize").Click());

        snackbars.WaitForAssertion(() => Assert.Contains("No session client1", snackbars.Markup, StringComparison.Ordinal));
        Assert.Empty(dialogs.FindAll(".reauthorize-result-dialog"));
    }

    private IRenderedComponent<SessionDetailPage> RenderDetail(string clientId, string mountpoint = "")
    {
        var link = SessionLinks.Detail(new QueueKey(mountpoint, clientId));
        NavigateTo(link);
        return Render<SessionDetailPage>();
    }

    private (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars) RenderProviders()
    {
        Render<MudPopoverProvider>();
        return (Render<MudDialogProvider>(), Render<MudSnackbarProvider>());
    }

    private void Queue(string clientId, string msgRef, string topic, byte[] payload) =>
        Store.Apply(new MessageQueued(Key(clientId), new QueuedMessage(msgRef, 1, topic, false, payload)));

    private static QueueKey Key(string clientId) => new("", clientId);

    /// <summary>The value cell of a field in the queue or connection tables.</summary>
    private static string Value(IRenderedComponent<SessionDetailPage> cut, string field) =>
        cut.FindAll(".field-table tr").Single(tr => tr.QuerySelector("th")?.TextContent == field).QuerySelector("td")!.TextContent.Trim();

    private static IElement PageButton(IRenderedComponent<SessionDetailPage> cut, string name) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim() == name);

    private static IElement DialogButton(IRenderedComponent<MudDialogProvider> dialogs, string name) =>
        dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == name);
}
