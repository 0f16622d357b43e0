using Bunit;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core.Live;
using Dashboard.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components.Pages.Sessions;

/// <summary>The detail page's Audit card: that client's entries, for Admins only.</summary>
public class ClientAuditCardTests : SecurityTestContext
{
    public ClientAuditCardTests()
    {
        Services.GetRequiredService<SessionHistory>();
        Connect("client1", 37094);
        Audit.Append("alice", AuditActions.SessionReauthorize, "client1", "{\"user\":\"sensors\"}", "Unchanged");
        Time.Advance(TimeSpan.FromSeconds(1));
        Audit.Append("bob", AuditActions.SessionDisconnect, "client2", "", "Disconnected");
        Time.Advance(TimeSpan.FromSeconds(1));
        Audit.Append("bob", AuditActions.SessionDisconnect, "client1", "{\"cleanup\":false}", "Disconnected");
    }

    [Fact]
    public void Render_Admin_ShowsThatClientsEntriesOnlyNewestFirst()
    {
        NavigateTo("sessions/client1");

        var cut = Render<SessionDetailPage>();

        var rows = cut.FindAll(".client-audit tbody tr");
        Assert.Equal(["session.disconnect", "session.reauthorize"], rows.Select(r => r.QuerySelector("td.action")!.TextContent));
        Assert.Equal(["bob", "alice"], rows.Select(r => r.QuerySelector("td.actor")!.TextContent));
        Assert.Equal("audit?target=client1", cut.Find(".client-audit a.audit-link").GetAttribute("href"));
    }

    [Theory]
    [InlineData(UserRole.Operator)]
    [InlineData(UserRole.Viewer)]
    public void Render_NotAdmin_HasNoAuditCard(UserRole role)
    {
        SignIn("olga", role);
        NavigateTo("sessions/client1");

        var cut = Render<SessionDetailPage>();

        Assert.NotEmpty(cut.FindAll(".subscriptions-table, .card-title"));
        Assert.Empty(cut.FindAll(".client-audit"));
    }

    [Fact]
    public void Render_SignedOut_HasNoAuditCard()
    {
        Authorization.SetNotAuthorized();
        // bUnit's fake grants a named policy from its list whatever the sign-in state; a signed-out user has none.
        Authorization.SetPolicies();
        NavigateTo("sessions/client1");

        var cut = Render<SessionDetailPage>();

        Assert.Empty(cut.FindAll(".client-audit"));
    }

    [Fact]
    public void Render_ClientWithoutEntries_SaysNobodyActed()
    {
        Connect("quiet", 1);
        NavigateTo("sessions/quiet");

        var cut = Render<SessionDetailPage>();

        Assert.Equal("Nobody has acted on this client yet.", cut.Find(".client-audit .card-note").TextContent);
    }

    [Fact]
    public void Render_SessionGone_StillShowsWhoActedOnIt()
    {
        NavigateTo("sessions/client2");

        var cut = Render<SessionDetailPage>();

        Assert.NotEmpty(cut.FindAll(".missing-session"));
        Assert.Equal("bob", cut.Find(".client-audit tbody td.actor").TextContent);
    }

    [Fact]
    public void Disconnect_FromThePage_ShowsUpInTheCard()
    {
        NavigateTo("sessions/client1");
        var cut = Render<SessionDetailPage>();

        // What the audited control writes when the page's Disconnect goes through; the page re-renders as the session changes.
        Audit.Append("admin", AuditActions.SessionDisconnect, "client1", "{\"cleanup\":true}", "Disconnected");
        Disconnect("client1");
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Equal("admin", cut.Find(".client-audit tbody td.actor").TextContent));
    }
}
