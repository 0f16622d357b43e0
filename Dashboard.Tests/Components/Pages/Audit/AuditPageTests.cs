using Bunit;
using Dashboard.Components.Pages.Audit;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Components.Pages.Audit;

public class AuditPageTests : SecurityTestContext
{
    // The context's clock: 2019-02-05 15:19:23.575 UTC.
    public AuditPageTests()
    {
        Audit.Append("alice", AuditActions.SessionDisconnect, "client1", "{\"cleanup\":true}", "Disconnected");
        Time.Advance(TimeSpan.FromHours(1));
        Audit.Append("bob", AuditActions.SessionReauthorize, "client2", "", "Unchanged");
        Time.Advance(TimeSpan.FromHours(1));
        Audit.Append("alice", AuditActions.UserAdd, "carol", "{\"role\":\"Viewer\"}", "Added");
    }

    [Fact]
    public void Render_NoFilters_ListsEveryEntryNewestFirst()
    {
        var cut = Render<AuditPage>();

        Assert.Equal(["carol", "client2", "client1"], Column(cut, "target"));
        Assert.Equal("3 entries", cut.Find(".entry-count").TextContent);
        Assert.Equal("2019-02-05 17:19:23", cut.Find("tbody tr td.time time").TextContent);
        Assert.Equal("export/audit", cut.Find("a.export-csv").GetAttribute("href"));
    }

    [Theory]
    [InlineData("audit?actor=alice", new[] { "carol", "client1" })]
    [InlineData("audit?action=session.reauthorize", new[] { "client2" })]
    [InlineData("audit?target=client1", new[] { "client1" })]
    [InlineData("audit?from=2019-02-05T16:00:00Z", new[] { "carol", "client2" })]
    [InlineData("audit?to=2019-02-05T16:19:23.575Z", new[] { "client1" })]
    [InlineData("audit?actor=alice&from=2019-02-05T16:00:00Z", new[] { "carol" })]
    public void Render_FiltersInTheAddress_NarrowTheRows(string uri, string[] targets)
    {
        NavigateTo(uri);

        var cut = Render<AuditPage>();

        Assert.Equal(targets, Column(cut, "target"));
    }

    [Fact]
    public void Apply_Filters_GoIntoTheAddressAndTheExportLink()
    {
        NavigateTo("audit");
        var cut = Render<AuditPage>();

        cut.Find(".actor-field input").Input("alice");
        cut.Find(".target-field input").Input("client 1&x");
        cut.Find(".from-field input").Change("2019-02-05T15:00");
        cut.Find("form.audit-filters").Submit();

        var uri = Services.GetRequiredService<NavigationManager>().Uri;
        Assert.Equal("http://localhost/audit?actor=alice&target=client%201%26x&from=2019-02-05T15%3A00%3A00Z", uri);
        cut.WaitForAssertion(() => Assert.Equal("No entries match these filters.", cut.Find(".empty-note").TextContent));
        Assert.Equal("export/audit?actor=alice&target=client%201%26x&from=2019-02-05T15%3A00%3A00Z", cut.Find("a.export-csv").GetAttribute("href"));
        // The form shows what the address says, so a reload keeps the same filters in the fields.
        Assert.Equal("2019-02-05T15:00", cut.Find(".from-field input").GetAttribute("value"));
    }

    [Fact]
    public void Apply_ActionSelect_FiltersByAction()
    {
        NavigateTo("audit");
        var cut = Render<AuditPage>();

        cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync(AuditActions.UserAdd));
        cut.Find("form.audit-filters").Submit();

        cut.WaitForAssertion(() => Assert.Equal(["carol"], Column(cut, "target")));
        Assert.EndsWith("/audit?action=user.add", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Clear_RemovesEveryFilter()
    {
        NavigateTo("audit?actor=alice&action=user.add");
        var cut = Render<AuditPage>();

        cut.Find("button.clear-button").Click();

        cut.WaitForAssertion(() => Assert.Equal(3, Column(cut, "target").Count));
        Assert.Equal("http://localhost/audit", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Theory]
    [InlineData("audit?from=yesterday", "Invalid from time \"yesterday\": use ISO 8601, e.g. 2025-03-01T12:00:00Z")]
    [InlineData("audit?action=drop.tables", "Unknown action \"drop.tables\"")]
    [InlineData("audit?from=2019-02-06&to=2019-02-05", "The time range ends before it starts")]
    public void Render_BadFilterInTheAddress_ShowsWhyAndNoRows(string uri, string message)
    {
        NavigateTo(uri);

        var cut = Render<AuditPage>();

        Assert.StartsWith(message, cut.Find(".filter-error").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("tbody tr"));
        Assert.Empty(cut.FindAll("a.export-csv"));
    }

    [Fact]
    public void Render_MoreThanTheLimit_SaysSo()
    {
        for (var i = 0; i < AuditPage.DisplayLimit; i++)
        {
            Audit.Append("loader", AuditActions.SignIn, "x", "", "Failed");
        }

        var cut = Render<AuditPage>();

        Assert.Equal(AuditPage.DisplayLimit, cut.FindAll("tbody tr").Count);
        Assert.Contains("Showing the newest 500 entries", cut.Find(".limit-note").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_HostileActorAndTarget_StayText()
    {
        Audit.Append("key:<img src=x>", AuditActions.SessionDisconnect, "<script>alert(1)</script>", "{\"x\":\"<b>\"}", "Disconnected");

        var cut = Render<AuditPage>();

        Assert.Equal("<script>alert(1)</script>", Column(cut, "target")[0]);
        Assert.Empty(cut.FindAll("tbody img, tbody script, tbody b"));
    }

    private static List<string> Column(IRenderedComponent<AuditPage> cut, string column) =>
        [.. cut.FindAll($"tbody td.{column}").Select(td => td.TextContent)];
}
