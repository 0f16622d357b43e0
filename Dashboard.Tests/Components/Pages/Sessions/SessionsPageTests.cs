using AngleSharp.Dom;
using Bunit;
using Dashboard.Components.Pages.Sessions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components.Pages.Sessions;

public class SessionsPageTests : DashboardTestContext
{
    [Fact]
    public void Render_StoreWithSessions_ShowsDefaultColumnsAndRows()
    {
        Connect("client1", 37094);
        Connect("client2", 37098);

        var cut = Render<SessionsPage>();

        Assert.Equal(["client_id", "is_online", "mountpoint", "peer_host", "peer_port", "user"], HeaderTexts(cut));
        Assert.Equal(
            [
                ["client2", "true", "", "127.0.0.1", "37098", "undefined"],
                ["client1", "true", "", "127.0.0.1", "37094", "undefined"],
            ],
            RowTexts(cut));
        Assert.StartsWith("2 rows", cut.Find(".row-count").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_QueryInUrl_ShowsItsColumnsAndMatchingRows()
    {
        Connect("client1", 37094);
        Connect("client2", 37098);
        Subscribe("client1", "some/topic");
        Subscribe("client1", "some/other/topic2");
        Subscribe("client2", "some/other/topic1");
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--topic --client_id --topic=~some/other/.*"));

        var cut = Render<SessionsPage>();

        Assert.Equal("--topic --client_id --topic=~some/other/.*", QueryBox(cut).GetAttribute("value"));
        // Columns keep the order the query names them in.
        Assert.Equal(["topic", "client_id"], HeaderTexts(cut));
        Assert.Equal([["some/other/topic1", "client2"], ["some/other/topic2", "client1"]], RowTexts(cut));
    }

    [Fact]
    public void Run_ValidQuery_PutsQueryInUrlAndShowsRows()
    {
        Connect("client1", 37094);
        Connect("client2", 37098);
        var cut = Render<SessionsPage>();

        QueryBox(cut).Input("--client_id=client1 --peer_port");
        RunButton(cut).Click();

        var uri = new Uri(Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Equal("?q=" + Uri.EscapeDataString("--client_id=client1 --peer_port"), uri.Query);
        cut.WaitForAssertion(() => Assert.Equal([["37094"]], RowTexts(cut)));
        Assert.Equal(["peer_port"], HeaderTexts(cut));
    }

    [Fact]
    public void Run_EnterInQueryBox_RunsQuery()
    {
        Connect("client1", 37094);
        Connect("client2", 37098);
        var cut = Render<SessionsPage>();

        QueryBox(cut).Input("--client_id=~2$ --client_id");
        QueryBox(cut).KeyDown(new KeyboardEventArgs { Key = "Enter" });

        cut.WaitForAssertion(() => Assert.Equal([["client2"]], RowTexts(cut)));
    }

    [Fact]
    public void Run_InvalidQuery_ShowsErrorAndKeepsRows()
    {
        Connect("client1", 37094);
        var cut = Render<SessionsPage>();

        QueryBox(cut).Input("--client_id --foo");
        RunButton(cut).Click();

        cut.WaitForAssertion(() => Assert.Contains("Invalid key: \"foo\"", cut.Find(".query-panel").TextContent, StringComparison.Ordinal));
        Assert.Equal([["client1", "true", "", "127.0.0.1", "37094", "undefined"]], RowTexts(cut));
        Assert.Contains("Showing the last query that ran", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InvalidRegex_ShowsErrorNamingPattern()
    {
        Connect("client1", 37094);
        var cut = Render<SessionsPage>();

        QueryBox(cut).Input("--client_id=~(unclosed");
        RunButton(cut).Click();

        cut.WaitForAssertion(() => Assert.Contains("(unclosed", cut.Find(".query-panel").TextContent, StringComparison.Ordinal));
        Assert.Single(RowTexts(cut));
    }

    [Fact]
    public void Render_InvalidQueryInUrl_ShowsErrorWithoutTable()
    {
        Connect("client1", 37094);
        NavigateTo("/sessions?q=--limit%3Dabc");

        var cut = Render<SessionsPage>();

        Assert.Contains("--limit", cut.Find(".query-panel").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("table"));
    }

    [Fact]
    public void StoreChange_AfterRender_AppearsWithoutReload()
    {
        Connect("client1", 37094);
        var cut = Render<SessionsPage>();

        Connect("late-client", 40000);
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Contains(["late-client", "true", "", "127.0.0.1", "40000", "undefined"], RowTexts(cut)));
        Assert.StartsWith("2 rows", cut.Find(".row-count").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void StoreChange_WithFilterApplied_KeepsFilter()
    {
        Connect("sensor-1", 1);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --client_id=~^sensor"));
        var cut = Render<SessionsPage>();

        Connect("sensor-2", 2);
        Connect("camera-1", 3);
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Equal([["sensor-2"], ["sensor-1"]], RowTexts(cut)));
    }

    [Fact]
    public async Task Dispose_AfterRender_StopsLiveRefresh()
    {
        var listenersBefore = Store.ListenerCount;
        Render<SessionsPage>();
        // Not vacuous: the live page holds a subscription on the store.
        Assert.True(Store.ListenerCount > listenersBefore, "the page never subscribed to the store");

        await DisposeComponentsAsync();

        // Checked on the store, not on renders: a disposed component never renders again, so a
        // subscription it leaked would go unnoticed there while it keeps the page alive.
        Assert.Equal(listenersBefore, Store.ListenerCount);
    }

    [Fact]
    public void Render_EmptyStore_ShowsEmptyState()
    {
        var cut = Render<SessionsPage>();

        Assert.Contains("No sessions match", cut.Find(".empty-state").TextContent, StringComparison.Ordinal);
        Assert.Empty(RowTexts(cut));
        Assert.StartsWith("0 rows", cut.Find(".row-count").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LimitCutsResult_ShowsLimitNote()
    {
        Connect("client1", 37094);
        Connect("client2", 37098);
        NavigateTo("/sessions?q=--limit%3D1");

        var cut = Render<SessionsPage>();

        Assert.Single(RowTexts(cut));
        Assert.Contains("Showing the first 1 rows per node of 2 matching; raise the limit to see more.", cut.Find(".limit-note").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ResultWithinLimit_ShowsNoLimitNote()
    {
        Connect("client1", 37094);

        var cut = Render<SessionsPage>();

        Assert.Empty(cut.FindAll(".limit-note"));
    }

    [Fact]
    public void Render_HostileClientId_ShowsItAsText()
    {
        const string hostile = "<img src=x onerror=alert(1)>\u001b[2J";
        Connect(hostile, 1, user: "<b>bold</b>");

        var cut = Render<SessionsPage>();

        Assert.Empty(cut.FindAll("tbody img"));
        Assert.Empty(cut.FindAll("tbody b"));
        var row = Assert.Single(RowTexts(cut));
        Assert.Equal("<img src=x onerror=alert(1)>\\x1b[2J", row[0]);
        Assert.Equal("<b>bold</b>", row[5]);
    }

    [Fact]
    public void Render_BeforeInteractive_DisablesRunButton()
    {
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));

        var cut = Render<SessionsPage>();

        Assert.True(RunButton(cut).HasAttribute("disabled"));
    }

    [Fact]
    public void ColumnChooser_TickField_AddsColumnToQueryBoxUrlAndGrid()
    {
        Connect("client1", 37094);
        Subscribe("client1", "a/b");
        var cut = Render<SessionsPage>();

        cut.Find("button.columns-button").Click();
        var chooser = cut.Find("#column-chooser");
        Assert.Equal(FieldCatalogCount, chooser.QuerySelectorAll("li.field").Length);
        Assert.Contains("Subscribed topic filter", chooser.TextContent, StringComparison.Ordinal);
        FieldCheckBox(cut, "topic").Change(true);

        const string expected = "--client_id --is_online --mountpoint --peer_host --peer_port --user --topic";
        cut.WaitForAssertion(() => Assert.Equal(expected, QueryBox(cut).GetAttribute("value")));
        Assert.Equal("?q=" + Uri.EscapeDataString(expected), new Uri(Services.GetRequiredService<NavigationManager>().Uri).Query);
        Assert.Equal("topic", HeaderTexts(cut)[^1]);
        Assert.Equal("a/b", RowTexts(cut)[0][^1]);
    }

    [Fact]
    public void ColumnChooser_MoveColumn_ReordersHeaders()
    {
        Connect("client1", 37094);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --peer_port"));
        var cut = Render<SessionsPage>();

        cut.Find("button.columns-button").Click();
        cut.Find("button[aria-label='Move peer_port left']").Click();

        cut.WaitForAssertion(() => Assert.Equal(["peer_port", "client_id"], HeaderTexts(cut)));
        Assert.Equal("--peer_port --client_id", QueryBox(cut).GetAttribute("value"));
        Assert.Equal([["37094", "client1"]], RowTexts(cut));
    }

    [Fact]
    public void QueryBox_FilterInText_ShowsAsChipAndRemovingChipUpdatesText()
    {
        Connect("sensor-1", 1);
        Connect("camera-1", 2);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --client_id=~^sensor"));
        var cut = Render<SessionsPage>();
        Assert.Equal([["sensor-1"]], RowTexts(cut));

        var chip = Assert.Single(cut.FindAll(".filter-chip"));
        Assert.Contains("--client_id=~^sensor", chip.TextContent, StringComparison.Ordinal);
        chip.QuerySelector("button")!.Click();

        cut.WaitForAssertion(() => Assert.Equal("--client_id", QueryBox(cut).GetAttribute("value")));
        Assert.Empty(cut.FindAll(".filter-chip"));
        Assert.Equal([["sensor-1"], ["camera-1"]], RowTexts(cut));
    }

    [Fact]
    public void Sort_ClickHeader_OrdersRowsByThatColumn()
    {
        Connect("b-client", 3);
        Connect("a-client", 1);
        Connect("c-client", 2);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --peer_port"));
        var cut = Render<SessionsPage>();

        SortButton(cut, "peer_port").Click();

        cut.WaitForAssertion(() => Assert.Equal(["a-client", "c-client", "b-client"], RowTexts(cut).Select(r => r[0])));
    }

    [Fact]
    public void Sort_ClickHeader_PutsSortInUrlThenReversesThenClears()
    {
        Connect("b-client", 3);
        Connect("a-client", 1);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --peer_port"));
        var cut = Render<SessionsPage>();

        SortButton(cut, "client_id").Click();
        cut.WaitForAssertion(() => Assert.Equal(["a-client", "b-client"], RowTexts(cut).Select(r => r[0])));
        Assert.Equal("?q=--client_id%20--peer_port&sort=client_id", CurrentQueryString());

        SortButton(cut, "client_id").Click();
        cut.WaitForAssertion(() => Assert.Equal(["b-client", "a-client"], RowTexts(cut).Select(r => r[0])));
        Assert.Equal("?q=--client_id%20--peer_port&sort=-client_id", CurrentQueryString());

        SortButton(cut, "client_id").Click();
        cut.WaitForAssertion(() => Assert.Equal("?q=--client_id%20--peer_port", CurrentQueryString()));
    }

    [Fact]
    public void Render_SortInUrl_OrdersRowsAndMarksTheHeader()
    {
        Connect("b-client", 3);
        Connect("a-client", 1);
        Connect("c-client", 2);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --peer_port") + "&sort=-peer_port");

        var cut = Render<SessionsPage>();

        Assert.Equal(["b-client", "c-client", "a-client"], RowTexts(cut).Select(r => r[0]));
        Assert.Contains("sorted", SortButton(cut, "peer_port").ClassList);
        Assert.DoesNotContain("sorted", SortButton(cut, "client_id").ClassList);
    }

    [Theory]
    [InlineData("user")]
    [InlineData("no_such_field")]
    public void Render_SortOnColumnNotShown_IgnoresIt(string sort)
    {
        Connect("b-client", 3);
        Connect("a-client", 1);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --peer_port") + "&sort=" + sort);

        var cut = Render<SessionsPage>();

        // The store's own order, as with no sort at all.
        Assert.Equal([["b-client", "3"], ["a-client", "1"]], RowTexts(cut));
        Assert.Empty(cut.FindAll(".sort-button.sorted"));
    }

    [Fact]
    public void ColumnChooser_UntickSortedColumn_DropsSortFromUrl()
    {
        Connect("client1", 37094);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --peer_port") + "&sort=-peer_port");
        var cut = Render<SessionsPage>();

        cut.Find("button.columns-button").Click();
        FieldCheckBox(cut, "peer_port").Change(false);

        cut.WaitForAssertion(() => Assert.Equal("?q=--client_id", CurrentQueryString()));
    }

    [Fact]
    public void ColumnChooser_AddColumn_KeepsSort()
    {
        Connect("client1", 37094);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id") + "&sort=-client_id");
        var cut = Render<SessionsPage>();

        cut.Find("button.columns-button").Click();
        FieldCheckBox(cut, "user").Change(true);

        cut.WaitForAssertion(() => Assert.Equal("?q=--client_id%20--user&sort=-client_id", CurrentQueryString()));
    }

    [Fact]
    public void Render_Headers_EachSortButtonNamesItsColumn()
    {
        var cut = Render<SessionsPage>();

        Assert.Equal(
            ["Sort by client_id", "Sort by is_online", "Sort by mountpoint", "Sort by peer_host", "Sort by peer_port", "Sort by user"],
            cut.FindAll("thead button.sort-button").Select(b => b.GetAttribute("aria-label")));
        // MudDataGrid's own buttons would all be called just "Sort".
        Assert.Empty(cut.FindAll("thead button[aria-label='Sort']"));
    }

    [Fact]
    public void Render_ManyRows_SendsOnePageToTheBrowser()
    {
        for (var i = 0; i < 120; i++)
        {
            Connect($"client-{i:000}", i);
        }
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --limit=1000"));

        var cut = Render<SessionsPage>();

        Assert.Equal(50, RowTexts(cut).Length);
        Assert.StartsWith("120 rows", cut.Find(".row-count").TextContent, StringComparison.Ordinal);
    }

    private static readonly int FieldCatalogCount = Dashboard.Core.Sessions.FieldCatalog.All.Count;

    private static IElement FieldCheckBox(IRenderedComponent<SessionsPage> cut, string field) =>
        cut.FindAll("#column-chooser li.field").Single(li => li.QuerySelector("label")!.TextContent.Trim() == field)
            .QuerySelector("input[type=checkbox]")!;

    [Fact]
    public void ExportLinks_CarryTheQueryThatRan()
    {
        Connect("client1", 37094);
        NavigateTo("/sessions?q=" + Uri.EscapeDataString("--client_id --topic=~^a/b&c"));
        var cut = Render<SessionsPage>();

        var csv = cut.Find("a.export-csv");
        var json = cut.Find("a.export-json");

        Assert.Equal("export/sessions?q=--client_id%20--topic%3D~%5Ea%2Fb%26c&format=csv", csv.GetAttribute("href"));
        Assert.Equal("export/sessions?q=--client_id%20--topic%3D~%5Ea%2Fb%26c&format=json", json.GetAttribute("href"));
        Assert.True(csv.HasAttribute("download"));
        Assert.Equal("Export CSV", csv.GetAttribute("aria-label"));
        Assert.Equal("Export JSON", json.GetAttribute("aria-label"));
    }

    [Fact]
    public void ExportLinks_AfterBadQuery_KeepTheLastQueryThatRan()
    {
        NavigateTo("/sessions?q=--client_id");
        var cut = Render<SessionsPage>();

        QueryBox(cut).Input("--foo");
        RunButton(cut).Click();

        cut.WaitForAssertion(() => Assert.Contains("Invalid key", cut.Find(".query-panel").TextContent, StringComparison.Ordinal));
        Assert.Equal("export/sessions?q=--client_id&format=csv", cut.Find("a.export-csv").GetAttribute("href"));
    }

    private string CurrentQueryString() => new Uri(Services.GetRequiredService<NavigationManager>().Uri).Query;

    private static IElement SortButton(IRenderedComponent<SessionsPage> cut, string column) =>
        cut.Find($"thead button.sort-button[aria-label='Sort by {column}']");

    private static IElement QueryBox(IRenderedComponent<SessionsPage> cut) => cut.Find(".query-box input");

    private static IElement RunButton(IRenderedComponent<SessionsPage> cut) => cut.Find("button.run-button");

    private static string[] HeaderTexts(IRenderedComponent<SessionsPage> cut) =>
        [.. cut.FindAll("thead th:not(.actions-header):not(.select-header)").Select(th => th.TextContent.Trim())];

    private static string[][] RowTexts(IRenderedComponent<SessionsPage> cut) =>
        [.. cut.FindAll("tbody tr").Where(tr => tr.QuerySelector(".cell") is not null)
            .Select(tr => tr.QuerySelectorAll(".cell").Select(cell => cell.TextContent).ToArray())];
}
