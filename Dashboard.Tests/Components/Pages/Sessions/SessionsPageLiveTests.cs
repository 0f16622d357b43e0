using AngleSharp.Dom;
using Bunit;
using Dashboard.Components.Pages.Sessions;

namespace Dashboard.Tests.Components.Pages.Sessions;

/// <summary>The grid while the store changes: pausing, and the highlight of changed rows.</summary>
public class SessionsPageLiveTests : DashboardTestContext
{
    [Fact]
    public void Pause_StoreChanges_KeepsRowsAndCountsChanges()
    {
        Connect("client1", 1);
        var cut = Render<SessionsPage>();

        PauseSwitch(cut).Change(true);
        Assert.Equal("Paused", cut.Find(".paused-chip").TextContent.Trim());
        Connect("late-1", 2);
        Connect("late-2", 3);
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Equal("Paused — changes waiting", cut.Find(".paused-chip").TextContent.Trim()));
        Assert.Equal(["client1"], ClientIds(cut));
        Assert.StartsWith("1 row", cut.Find(".row-count").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pause_ChangesKeepComing_RendersOnlyWhenChangesFirstWait()
    {
        Connect("client1", 1);
        var cut = Render<SessionsPage>();
        PauseSwitch(cut).Change(true);
        Connect("late-1", 2);
        PassRefreshInterval();
        cut.WaitForAssertion(() => Assert.Contains("changes waiting", cut.Find(".paused-chip").TextContent, StringComparison.Ordinal));
        var renders = cut.RenderCount;

        Connect("late-2", 3);
        PassRefreshInterval();
        Connect("late-3", 4);
        PassRefreshInterval();
        // Queued behind the throttled callbacks, so they have run (and rendered, if they were going to).
        await cut.InvokeAsync(() => { });

        Assert.Equal(renders, cut.RenderCount);
    }

    [Fact]
    public void Pause_TurnedOff_RefreshesAtOnce()
    {
        Connect("client1", 1);
        var cut = Render<SessionsPage>();
        PauseSwitch(cut).Change(true);
        Connect("late-1", 2);
        PassRefreshInterval();
        cut.WaitForAssertion(() => Assert.Contains("changes waiting", cut.Find(".paused-chip").TextContent, StringComparison.Ordinal));

        // No time passes: resuming does not wait for the throttle.
        PauseSwitch(cut).Change(false);

        cut.WaitForAssertion(() => Assert.Equal(["late-1", "client1"], ClientIds(cut)));
        Assert.Empty(cut.FindAll(".paused-chip"));
    }

    [Fact]
    public void StoreChange_SessionGoesOffline_HighlightsItsRowOnly()
    {
        Connect("steady", 1);
        Connect("flaky", 2, clean: false);
        var cut = Render<SessionsPage>();
        Assert.Empty(cut.FindAll("tr.row-changed"));

        Disconnect("flaky");
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Equal(["flaky"], ChangedClientIds(cut)));
        Assert.Contains("false", Row(cut, "flaky").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void StoreChange_NewSession_IsHighlighted()
    {
        Connect("steady", 1);
        var cut = Render<SessionsPage>();

        Connect("newcomer", 2);
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Equal(["newcomer"], ChangedClientIds(cut)));
    }

    [Fact]
    public void Highlight_AfterItsTimeAndAnotherRefresh_IsGone()
    {
        Connect("steady", 1);
        Connect("flaky", 2, clean: false);
        var cut = Render<SessionsPage>();
        Disconnect("flaky");
        PassRefreshInterval();
        cut.WaitForAssertion(() => Assert.Equal(["flaky"], ChangedClientIds(cut)));

        Time.Advance(TimeSpan.FromSeconds(2));
        Connect("other", 3);
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Equal(["other"], ChangedClientIds(cut)));
    }

    [Fact]
    public void Run_NewQuery_HighlightsNothing()
    {
        Connect("client1", 1, clean: false);
        Connect("client2", 2);
        var cut = Render<SessionsPage>();
        Disconnect("client1");
        PassRefreshInterval();
        cut.WaitForAssertion(() => Assert.Equal(["client1"], ChangedClientIds(cut)));

        // Well within the old highlight's time: a new query's rows are new, not changed.
        cut.Find(".query-box input").Input("--client_id --peer_port");
        cut.Find("button.run-button").Click();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr .cell").Count / 2));
        var ranQuery = cut.Instance.ViewModel.Result;
        Subscribe("client2", "unrelated/topic");
        PassRefreshInterval();

        // The refresh ran (a new result) and changed no shown cell, so any highlight is the old grid's.
        cut.WaitForAssertion(() => Assert.NotSame(ranQuery, cut.Instance.ViewModel.Result));
        Assert.Empty(cut.FindAll("tr.row-changed"));
    }

    private static IElement PauseSwitch(IRenderedComponent<SessionsPage> cut) => cut.Find(".pause-switch input");

    private static IElement Row(IRenderedComponent<SessionsPage> cut, string clientId) =>
        cut.FindAll("tbody tr").Single(tr => tr.QuerySelector(".cell")?.TextContent == clientId);

    private static string[] ClientIds(IRenderedComponent<SessionsPage> cut) =>
        [.. cut.FindAll("tbody tr").Select(tr => tr.QuerySelector(".cell")?.TextContent).OfType<string>()];

    private static string[] ChangedClientIds(IRenderedComponent<SessionsPage> cut) =>
        [.. cut.FindAll("tbody tr.row-changed").Select(tr => tr.QuerySelector(".cell")!.TextContent)];
}
