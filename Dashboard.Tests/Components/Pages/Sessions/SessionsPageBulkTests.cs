using AngleSharp.Dom;
using Bunit;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core.Actions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using MudBlazor;

namespace Dashboard.Tests.Components.Pages.Sessions;

/// <summary>Selecting sessions by key and disconnecting them together, confirmed by typing the count.</summary>
public class SessionsPageBulkTests : DashboardTestContext
{
    [Fact]
    public void DisconnectSelected_DialogEnablesOnlyOnTheExactCount_ThenDisconnectsThem()
    {
        Connect("client1", 1);
        Connect("client2", 2);
        Connect("client3", 3);
        var (dialogs, snackbars) = RenderProviders();
        var cut = Render<SessionsPage>();

        SelectBox(cut, "client1").Change(true);
        SelectBox(cut, "client3").Change(true);
        cut.WaitForAssertion(() => Assert.Equal("Disconnect selected (2)", DisconnectSelected(cut).TextContent.Trim()));
        DisconnectSelected(cut).Click();

        dialogs.WaitForAssertion(() => Assert.Equal("Disconnect 2 sessions", dialogs.Find(".mud-dialog-title").TextContent.Trim()));
        Assert.Equal(["client1", "client3"], dialogs.FindAll(".examples li").Select(li => li.TextContent));
        Assert.True(DialogButton(dialogs, "Disconnect").HasAttribute("disabled"));
        ConfirmBox(dialogs).Input("3");
        Assert.True(DialogButton(dialogs, "Disconnect").HasAttribute("disabled"));
        ConfirmBox(dialogs).Input("2");
        dialogs.WaitForAssertion(() => Assert.False(DialogButton(dialogs, "Disconnect").HasAttribute("disabled")));
        DialogButton(dialogs, "Disconnect").Click();

        cut.WaitForAssertion(() => Assert.Equal(2, SessionControl.Disconnects.Count));
        Assert.Equal(
            [new DisconnectRequest { ClientId = "client1" }, new DisconnectRequest { ClientId = "client3" }],
            SessionControl.Disconnects);
        snackbars.WaitForAssertion(() => Assert.Contains("Disconnected 2 of 2", snackbars.Markup, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Equal("Disconnect selected (0)", DisconnectSelected(cut).TextContent.Trim()));
    }

    [Fact]
    public void DisconnectSelected_WithCleanup_AsksForCleanup()
    {
        Connect("client1", 1);
        var (dialogs, _) = RenderProviders();
        var cut = Render<SessionsPage>();

        SelectBox(cut, "client1").Change(true);
        DisconnectSelected(cut).Click();
        dialogs.WaitForAssertion(() => ConfirmBox(dialogs).Input("1"));
        dialogs.FindAll("label").Single(l => l.TextContent.Contains("Clean up sessions", StringComparison.Ordinal))
            .QuerySelector("input")!.Change(true);
        DialogButton(dialogs, "Disconnect").Click();

        cut.WaitForAssertion(() => Assert.Equal(new DisconnectRequest { ClientId = "client1", Cleanup = true }, Assert.Single(SessionControl.Disconnects)));
    }

    [Fact]
    public void DisconnectSelected_Cancel_DisconnectsNothingAndKeepsSelection()
    {
        Connect("client1", 1);
        var (dialogs, _) = RenderProviders();
        var cut = Render<SessionsPage>();

        SelectBox(cut, "client1").Change(true);
        DisconnectSelected(cut).Click();
        dialogs.WaitForAssertion(() => DialogButton(dialogs, "Cancel").Click());

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll(".bulk-disconnect-dialog")));
        Assert.Empty(SessionControl.Disconnects);
        Assert.Equal("Disconnect selected (1)", DisconnectSelected(cut).TextContent.Trim());
    }

    [Fact]
    public void DisconnectSelected_NothingSelected_IsDisabled()
    {
        Connect("client1", 1);

        var cut = Render<SessionsPage>();

        Assert.True(DisconnectSelected(cut).HasAttribute("disabled"));
        Assert.Equal("0 selected", cut.Find(".selection-count").TextContent.Trim());
    }

    [Fact]
    public void Selection_LiveRefresh_KeepsSelectedSessionsByKey()
    {
        Connect("client1", 1, clean: false);
        Connect("client2", 2);
        var cut = Render<SessionsPage>();
        SelectBox(cut, "client1").Change(true);

        Connect("client0", 3);
        Disconnect("client1");
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tbody tr .cell").Count / 6));
        Assert.True(IsChecked(SelectBox(cut, "client1")));
        Assert.False(IsChecked(SelectBox(cut, "client0")));
        Assert.Contains("row-selected", Row(cut, "client1").ClassList);
    }

    [Fact]
    public void SelectAllMatching_LimitCutsRows_SelectsEveryMatchingSession()
    {
        for (var i = 1; i <= 5; i++)
        {
            Connect($"sensor-{i}", i);
        }
        Connect("camera-1", 9);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --client_id=~^sensor --limit=2"));
        var (dialogs, _) = RenderProviders();
        var cut = Render<SessionsPage>();
        Assert.Equal(2, cut.FindAll("tbody tr .cell").Count);

        cut.Find("button.select-matching").Click();

        cut.WaitForAssertion(() => Assert.Equal("5 selected (all matching the query)", cut.Find(".selection-count").TextContent.Trim()));
        DisconnectSelected(cut).Click();
        dialogs.WaitForAssertion(() => ConfirmBox(dialogs).Input("5"));
        DialogButton(dialogs, "Disconnect").Click();
        cut.WaitForAssertion(() => Assert.Equal(
            ["sensor-1", "sensor-2", "sensor-3", "sensor-4", "sensor-5"],
            SessionControl.Disconnects.Select(d => d.ClientId).Order()));
    }

    [Fact]
    public void SelectPage_HeaderCheckbox_SelectsEveryRowOnThePage()
    {
        Connect("client1", 1);
        Connect("client2", 2);
        var cut = Render<SessionsPage>();

        CheckBox(cut, "thead", "Select all rows on this page").Change(true);

        cut.WaitForAssertion(() => Assert.Equal("2 selected", cut.Find(".selection-count").TextContent.Trim()));
        Assert.True(IsChecked(SelectBox(cut, "client1")));
        Assert.True(IsChecked(SelectBox(cut, "client2")));
    }

    [Fact]
    public void DisconnectSelected_HostileClientId_StaysTextInDialog()
    {
        const string hostile = "<img src=x onerror=alert(1)>";
        const string reversed = "evil\u202Etxt.exe";
        var huge = "h" + new string('x', 4_999);
        Connect(hostile, 1);
        Connect(reversed, 2);
        Connect(huge, 3);
        var (dialogs, _) = RenderProviders();
        var cut = Render<SessionsPage>();

        CheckBox(cut, "thead", "Select all rows on this page").Change(true);
        DisconnectSelected(cut).Click();

        dialogs.WaitForAssertion(() => Assert.Equal(3, dialogs.FindAll(".examples li").Count));
        var examples = dialogs.FindAll(".examples li").Select(li => li.TextContent).ToArray();
        Assert.Equal(hostile, examples[0]);
        Assert.Empty(dialogs.FindAll("img"));
        // A right-to-left override would flip the rest of the line; it shows as its escape instead.
        Assert.Equal("evil\\u202etxt.exe", examples[1]);
        Assert.DoesNotContain("\u202E", dialogs.Markup, StringComparison.Ordinal);
        // A 5,000-character id is cut, saying how much is left out.
        Assert.StartsWith(huge[..ClientIdText.MaxShown], examples[2], StringComparison.Ordinal);
        Assert.DoesNotContain(huge[..(ClientIdText.MaxShown + 1)], examples[2], StringComparison.Ordinal);
        Assert.Contains("4,800 more characters", examples[2], StringComparison.Ordinal);
    }

    [Fact]
    public void DisconnectSelected_MountpointKey_ShowsMountpointApartFromClientId()
    {
        Store.Apply(new ClientConnected(new QueueKey("site/a", "b/c"), true, null, "127.0.0.1", 1, 4));
        var (dialogs, _) = RenderProviders();
        var cut = Render<SessionsPage>();

        CheckBox(cut, "tbody", "Select site/a/b/c").Change(true);
        DisconnectSelected(cut).Click();

        dialogs.WaitForAssertion(() => Assert.Equal("b/c", dialogs.Find(".examples li .client-id").TextContent));
        Assert.Equal("site/a", dialogs.Find(".examples li .mountpoint-name").TextContent);
    }

    [Fact]
    public void DisconnectSelected_OneFails_DisconnectsTheRestAndCountsTheFailure()
    {
        Connect("client1", 1);
        Connect("client2", 2);
        Connect("client3", 3);
        SessionControl.DisconnectFailure = request => request.ClientId == "client2" ? new InvalidOperationException("database is locked") : null;
        var (dialogs, snackbars) = RenderProviders();
        var cut = Render<SessionsPage>();
        CheckBox(cut, "thead", "Select all rows on this page").Change(true);

        DisconnectSelected(cut).Click();
        dialogs.WaitForAssertion(() => ConfirmBox(dialogs).Input("3"));
        DialogButton(dialogs, "Disconnect").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("Disconnected 2 of 3; 1 failed", snackbars.Markup, StringComparison.Ordinal));
        Assert.Equal(["client1", "client3"], SessionControl.Disconnects.Select(d => d.ClientId));
        cut.WaitForAssertion(() => Assert.Equal("Disconnect selected (0)", DisconnectSelected(cut).TextContent.Trim()));
    }

    [Fact]
    public async Task DisconnectSelected_PageDisposedMidway_StopsDisconnecting()
    {
        Connect("client1", 1);
        Connect("client2", 2);
        var blocked = new TaskCompletionSource<CancellationToken>();
        SessionControl.DisconnectGate = token =>
        {
            blocked.TrySetResult(token);
            return Task.Delay(Timeout.Infinite, token);
        };
        var (dialogs, _) = RenderProviders();
        var cut = Render<SessionsPage>();
        CheckBox(cut, "thead", "Select all rows on this page").Change(true);
        DisconnectSelected(cut).Click();
        dialogs.WaitForAssertion(() => ConfirmBox(dialogs).Input("2"));
        DialogButton(dialogs, "Disconnect").Click();
        cut.WaitForAssertion(() => Assert.True(blocked.Task.IsCompleted));
        Assert.StartsWith("Disconnecting 0 of 2", DisconnectSelected(cut).TextContent.Trim(), StringComparison.Ordinal);

        await DisposeComponentsAsync();

        Assert.True((await blocked.Task).IsCancellationRequested);
        Assert.Empty(SessionControl.Disconnects);
    }

    private (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars) RenderProviders()
    {
        Render<MudPopoverProvider>();
        return (Render<MudDialogProvider>(), Render<MudSnackbarProvider>());
    }

    private static IElement Row(IRenderedComponent<SessionsPage> cut, string clientId) =>
        cut.FindAll("tbody tr").Single(tr => tr.QuerySelector(".cell")?.TextContent == clientId);

    private static IElement SelectBox(IRenderedComponent<SessionsPage> cut, string clientId) => CheckBox(cut, "tbody", $"Select {clientId}");

    // MudCheckBox names its input with aria-labelledby pointing at a screen-reader-only span.
    private static IElement CheckBox(IRenderedComponent<SessionsPage> cut, string scope, string name) =>
        cut.FindAll($"{scope} label.mud-checkbox").Single(l => l.QuerySelector(".mud-sr-only")?.TextContent == name).QuerySelector("input")!;

    private static bool IsChecked(IElement checkbox) => checkbox.Closest("label")!.QuerySelector(".mud-checkbox-true") is not null;

    private static IElement DisconnectSelected(IRenderedComponent<SessionsPage> cut) => cut.Find("button.disconnect-selected");

    private static IElement ConfirmBox(IRenderedComponent<MudDialogProvider> dialogs) => dialogs.Find(".confirm-count input");

    private static IElement DialogButton(IRenderedComponent<MudDialogProvider> dialogs, string name) =>
        dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == name);
}
