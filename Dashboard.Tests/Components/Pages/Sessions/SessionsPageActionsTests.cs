using AngleSharp.Dom;
using Bunit;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core.Actions;
using MudBlazor;

namespace Dashboard.Tests.Components.Pages.Sessions;

public class SessionsPageActionsTests : DashboardTestContext
{
    [Fact]
    public void Disconnect_ConfirmWithCleanup_DisconnectsAndShowsResult()
    {
        Connect("client1", 37094);
        Connect("client2", 37098);
        var (dialogs, snackbars) = RenderProviders();
        var cut = Render<SessionsPage>();

        RowButton(cut, "client1", "Disconnect").Click();
        dialogs.WaitForAssertion(() => Assert.Equal("client1", dialogs.Find(".mud-dialog-title .client-id").TextContent));
        var cleanup = dialogs.FindAll("label").Single(l => l.TextContent.Contains("Clean up session (delete subscriptions and queued messages)", StringComparison.Ordinal));
        cleanup.QuerySelector("input")!.Change(true);
        DialogButton(dialogs, "Disconnect").Click();

        cut.WaitForAssertion(() => Assert.Equal(new DisconnectRequest { ClientId = "client1", Cleanup = true }, Assert.Single(SessionControl.Disconnects)));
        snackbars.WaitForAssertion(() => Assert.Contains("Disconnected client1 and cleaned up its session", snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Rows_ActionButtonsSayWhatTheyDoOnHover_WithoutAPopoverPerRow()
    {
        for (var i = 0; i < 20; i++)
        {
            Connect($"hover-{i:D2}", 40000 + i);
        }
        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => Assert.Equal(20, cut.FindAll("tbody tr button[aria-label='Disconnect']").Count));
        // The block button's own hover text is checked where blocking exists (e2e/BlockingTests.cs).
        Assert.Equal(("Disconnect this client", "Check its subscriptions against the ACL again"),
            (RowButton(cut, "hover-07", "Disconnect").GetAttribute("title"), RowButton(cut, "hover-07", "Reauthorize").GetAttribute("title")));
        // Each MudTooltip is a popover registered with the page's popover provider: none may come with a row.
        Assert.Empty(cut.FindComponents<MudTooltip>());
    }

    [Fact]
    public void Disconnect_Cancel_DoesNothing()
    {
        Connect("client1", 37094);
        var (dialogs, _) = RenderProviders();
        var cut = Render<SessionsPage>();

        RowButton(cut, "client1", "Disconnect").Click();
        dialogs.WaitForAssertion(() => DialogButton(dialogs, "Cancel").Click());

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll(".client-id")));
        Assert.Empty(SessionControl.Disconnects);
    }

    [Fact]
    public void Reauthorize_Confirm_UsesSessionUserAndListsRemoved()
    {
        Connect("client1", 37094, user: "sensors");
        var (dialogs, snackbars) = RenderProviders();
        var cut = Render<SessionsPage>();

        RowButton(cut, "client1", "Reauthorize").Click();
        dialogs.WaitForAssertion(() => Assert.Equal("sensors", dialogs.Find(".reauthorize-dialog input").GetAttribute("value")));
        DialogButton(dialogs, "Reauthorize").Click();

        cut.WaitForAssertion(() => Assert.Equal(new ReauthorizeRequest { User = "sensors", ClientId = "client1" }, Assert.Single(SessionControl.Reauthorizations)));
        snackbars.WaitForAssertion(() => Assert.Contains("Removed plant/secret", snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Disconnect_HostileClientId_StaysTextInDialogAndSnackbar()
    {
        const string hostile = "<img src=x onerror=alert(1)>";
        Connect(hostile, 1);
        var (dialogs, snackbars) = RenderProviders();
        var cut = Render<SessionsPage>();

        cut.FindAll("tbody tr").Single(tr => tr.QuerySelector(".cell")?.TextContent == hostile)
            .QuerySelector("button[aria-label='Disconnect']")!.Click();
        dialogs.WaitForAssertion(() => DialogButton(dialogs, "Disconnect").Click());

        snackbars.WaitForAssertion(() => Assert.Contains("Disconnected &lt;img", snackbars.Markup, StringComparison.Ordinal));
        Assert.Empty(dialogs.FindAll("img"));
        Assert.Empty(snackbars.FindAll("img"));
    }

    private (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars) RenderProviders()
    {
        Render<MudPopoverProvider>();
        return (Render<MudDialogProvider>(), Render<MudSnackbarProvider>());
    }

    private static IElement RowButton(IRenderedComponent<SessionsPage> cut, string clientId, string name) =>
        cut.FindAll("tbody tr").Single(tr => tr.QuerySelector(".cell")?.TextContent == clientId)
            .QuerySelector($"button[aria-label='{name}']")!;

    private static IElement DialogButton(IRenderedComponent<MudDialogProvider> dialogs, string name) =>
        dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == name);
}
