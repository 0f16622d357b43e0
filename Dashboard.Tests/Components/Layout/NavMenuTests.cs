using Bunit;
using Dashboard.Components.Layout;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components.Layout;

public class NavMenuTests : SecurityTestContext
{
    [Fact]
    public void Render_Admin_LinksEveryPage()
    {
        var cut = Render<NavMenu>();

        Assert.Equal(
            [("Sessions", "sessions"), ("Wall screen", "wall"), ("Blocked clients", "blocks"), ("Audit log", "audit"), ("Users", "admin/users"),
                ("API keys", "admin/keys"), ("Wall tokens", "admin/tokens"), ("Change password", "account/password")],
            Links(cut));
        Assert.Equal("Administration", cut.Find("[role=group]").GetAttribute("aria-labelledby") is { } id ? cut.Find("#" + id).TextContent : null);
    }

    [Theory]
    [InlineData(UserRole.Viewer, new[] { "Sessions", "Wall screen", "Change password" })]
    [InlineData(UserRole.Operator, new[] { "Sessions", "Wall screen", "Blocked clients", "Change password" })]
    public void Render_NotAdmin_OnlyThePagesOfTheRole(UserRole role, string[] links)
    {
        SignIn("olga", role);

        var cut = Render<NavMenu>();

        Assert.Equal(links, Links(cut).Select(link => link.Text));
        Assert.Empty(cut.FindAll("[role=group]"));
    }

    [Theory]
    [InlineData("sessions", "Sessions")]
    [InlineData("sessions?q=--client_id", "Sessions")]
    [InlineData("sessions/sensor-1", "Sessions")]
    [InlineData("admin/keys", "API keys")]
    public void Render_OnAPage_MarksItsLinkCurrent(string path, string current)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(path);

        var cut = Render<NavMenu>();

        Assert.Equal([current], cut.FindAll("a[aria-current=page]").Select(a => a.TextContent.Trim()));
    }

    [Fact]
    public void Render_SignedOut_NoLinks()
    {
        Authorization.SetNotAuthorized();
        // bUnit's fake grants a named policy from its list whatever the sign-in state; a signed-out user has none.
        Authorization.SetPolicies();

        var cut = Render<NavMenu>();

        Assert.Empty(cut.FindAll("a"));
    }

    private static List<(string Text, string? Href)> Links(IRenderedComponent<NavMenu> cut) =>
        [.. cut.FindAll("a").Select(a => (a.TextContent.Trim(), a.GetAttribute("href")))];
}
