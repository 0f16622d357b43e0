using Bunit;
using Dashboard.Components.Layout;
using Dashboard.Security;
using MudBlazor;

namespace Dashboard.Tests.Components.Layout;

public class AdminMenuTests : SecurityTestContext
{
    [Fact]
    public void Open_Admin_OffersAdministrationAndOwnPassword()
    {
        var popovers = Render<MudPopoverProvider>();
        var cut = Render<AdminMenu>();

        cut.Find("button[aria-label='Administration']").Click();

        popovers.WaitForAssertion(() => Assert.Equal(
            [("Users", "admin/users"), ("API keys", "admin/keys"), ("Wall tokens", "admin/tokens"), ("Blocked clients", "blocks"), ("Audit log", "audit"), ("Change password", "account/password")],
            popovers.FindAll("a.mud-menu-item").Select(a => (a.TextContent.Trim(), a.GetAttribute("href")))));
    }

    [Theory]
    [InlineData(UserRole.Viewer, new[] { "Change password" })]
    [InlineData(UserRole.Operator, new[] { "Blocked clients", "Change password" })]
    public void Open_NotAdmin_OffersOwnPasswordAndForOperatorsBlocks(UserRole role, string[] items)
    {
        SignIn("olga", role);
        var popovers = Render<MudPopoverProvider>();
        var cut = Render<AdminMenu>();

        Assert.Empty(cut.FindAll("button[aria-label='Administration']"));
        cut.Find("button[aria-label='Account']").Click();

        popovers.WaitForAssertion(() => Assert.Equal(items, popovers.FindAll("a.mud-menu-item").Select(a => a.TextContent.Trim())));
    }

    [Fact]
    public void Render_SignedOut_ShowsNothing()
    {
        Authorization.SetNotAuthorized();
        // bUnit's fake grants a named policy from its list whatever the sign-in state; a signed-out user has none.
        Authorization.SetPolicies();

        var cut = Render<AdminMenu>();

        Assert.Empty(cut.FindAll("button"));
    }
}
