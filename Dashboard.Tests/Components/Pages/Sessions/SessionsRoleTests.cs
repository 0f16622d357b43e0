using Bunit;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core.Sessions;
using Dashboard.Security;
using MudBlazor;

namespace Dashboard.Tests.Components.Pages.Sessions;

/// <summary>The UI hides what a role cannot do; when the server refuses anyway, the page says why.</summary>
public class SessionsRoleTests : DashboardTestContext
{
    [Fact]
    public void Grid_Viewer_NoActionsAndNoSelection()
    {
        SignInAs(UserRole.Viewer);
        Connect("client1", 37094);

        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("tbody tr .cell"), c => c.TextContent == "client1"));
        Assert.Empty(cut.FindAll("button[aria-label='Disconnect'], button[aria-label='Reauthorize']"));
        Assert.Empty(cut.FindAll("label.mud-checkbox"));
        Assert.DoesNotContain("Disconnect selected", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Select all matching", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(cut.FindAll("th"), th => th.TextContent.Contains("Actions", StringComparison.Ordinal));
    }

    [Fact]
    public void Grid_Operator_ActionsAndSelection()
    {
        SignInAs(UserRole.Operator);
        Connect("client1", 37094);

        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("button[aria-label='Disconnect']")));
        Assert.Single(cut.FindAll("button[aria-label='Reauthorize']"));
        Assert.NotEmpty(cut.FindAll("label.mud-checkbox"));
        Assert.Contains("Disconnect selected", cut.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UserRole.Viewer, false)]
    [InlineData(UserRole.Operator, true)]
    public void Detail_ButtonsOnlyForRolesThatMayAct(UserRole role, bool shown)
    {
        SignInAs(role);
        Connect("client1", 37094);

        var cut = RenderDetail("client1");

        cut.WaitForAssertion(() => Assert.Contains("client1", cut.Find(".detail-title").TextContent, StringComparison.Ordinal));
        Assert.Equal(shown, cut.FindAll("button").Any(b => b.TextContent.Trim() == "Disconnect"));
        Assert.Equal(shown, cut.FindAll("button").Any(b => b.TextContent.Trim() == "Reauthorize"));
    }

    [Fact]
    public void Grid_DemotedWhileOpen_ButtonsGo()
    {
        SignInAs(UserRole.Operator);
        Connect("client1", 37094);
        var cut = Render<SessionsPage>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("button[aria-label='Disconnect']")));

        // What the circuit's revalidation does when the role changed: a new authentication state.
        SignInAs(UserRole.Viewer);

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("button[aria-label='Disconnect']")));
    }

    [Fact]
    public void Disconnect_ServerRefuses_SaysNotAllowed()
    {
        // The button was shown (an Operator's page) but the server's check says no, e.g. after a demotion.
        SessionControl.Refusal = "Not allowed: your role Viewer cannot disconnect";
        Connect("client1", 37094);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var cut = Render<SessionsPage>();

        cut.WaitForAssertion(() => cut.Find("button[aria-label='Disconnect']").Click());
        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == "Disconnect").Click());

        snackbars.WaitForAssertion(() => Assert.Contains("Not allowed: your role Viewer cannot disconnect", snackbars.Markup, StringComparison.Ordinal));
    }

    private IRenderedComponent<SessionDetailPage> RenderDetail(string clientId)
    {
        NavigateTo(SessionLinks.Detail(new QueueKey("", clientId)));
        return Render<SessionDetailPage>();
    }
}
