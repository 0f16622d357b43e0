using Bunit;
using Dashboard.Components.Pages.Admin;
using Dashboard.Security;
using MudBlazor;

namespace Dashboard.Tests.Components.Pages.Admin;

public class WallTokensPageTests : SecurityTestContext
{
    [Fact]
    public void Create_WithQueryAndTitle_ShowsTheWallUrlOnce()
    {
        var (dialogs, _) = RenderProviders();
        var cut = Render<WallTokensPage>();

        cut.Find(".token-name-field input").Input("lobby-tv");
        cut.Find(".wall-query-field input").Input("--client_id=~^sensor+ &x");
        cut.Find(".wall-title-field input").Input("Lobby");
        cut.Find("form.create-token-form").Submit();

        dialogs.WaitForAssertion(() => Assert.Contains("Copy it now: it is not shown again", dialogs.Markup, StringComparison.Ordinal));
        var url = Shown(dialogs);
        Assert.StartsWith("http://localhost/wall?token=" + WallTokenStore.SecretPrefix, url, StringComparison.Ordinal);
        Assert.EndsWith("&q=--client_id%3D~%5Esensor%2B%20%26x&title=Lobby", url, StringComparison.Ordinal);
        var token = Uri.UnescapeDataString(url["http://localhost/wall?token=".Length..url.IndexOf("&q=", StringComparison.Ordinal)]);
        Assert.Equal("lobby-tv", WallTokens.Verify(token)?.Name);

        DialogButton(dialogs, "Done");
        cut.WaitForAssertion(() => Assert.Equal("lobby-tv", cut.Find("tbody td.name").TextContent));
        Assert.DoesNotContain(token, cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NameOnly_UrlHasTheTokenOnly()
    {
        var (dialogs, _) = RenderProviders();
        var cut = Render<WallTokensPage>();

        cut.Find(".token-name-field input").Input("kitchen");
        cut.Find("form.create-token-form").Submit();

        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll(".secret-value")));
        var url = Shown(dialogs);
        Assert.Matches("^http://localhost/wall\\?token=mqdw_[A-Za-z0-9_-]+$", url);
    }

    [Fact]
    public void Create_EmptyName_ShowsTheMessage()
    {
        var cut = Render<WallTokensPage>();

        cut.Find("form.create-token-form").Submit();

        cut.WaitForAssertion(() => Assert.Equal("The wall token's name is empty", cut.Find(".form-message").TextContent.Trim()));
        Assert.Empty(WallTokens.List());
    }

    [Fact]
    public void Revoke_Confirm_TheTokenNoLongerVerifies()
    {
        var secret = WallTokens.Create("lobby-tv", AuditActors.System).Value.Secret;
        var (dialogs, _) = RenderProviders();
        var cut = Render<WallTokensPage>();

        cut.Find("button[aria-label='Revoke lobby-tv']").Click();
        dialogs.WaitForAssertion(() => DialogButton(dialogs, "Revoke"));

        cut.WaitForAssertion(() => Assert.Equal("Revoked", cut.Find("tbody .status-chip").TextContent.Trim()));
        Assert.Null(WallTokens.Verify(secret));
        var revoked = Assert.Single(Audit.Query(new AuditQuery { Action = AuditActions.WallTokenRevoke }).Value.Entries);
        Assert.Equal(("admin", "lobby-tv"), (revoked.Actor, revoked.Target));
    }

    [Fact]
    public void Revoke_Cancel_KeepsTheToken()
    {
        var secret = WallTokens.Create("lobby-tv", AuditActors.System).Value.Secret;
        var (dialogs, _) = RenderProviders();
        var cut = Render<WallTokensPage>();

        cut.Find("button[aria-label='Revoke lobby-tv']").Click();
        dialogs.WaitForAssertion(() => DialogButton(dialogs, "Cancel"));

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll(".mud-dialog")));
        Assert.NotNull(WallTokens.Verify(secret));
        Assert.Equal("Active", cut.Find("tbody .status-chip").TextContent.Trim());
    }

    // A long link shows in a multi-line field (a textarea), a short one in a line.
    private static string Shown(IRenderedComponent<MudDialogProvider> dialogs)
    {
        var field = dialogs.Find(".secret-value textarea, .secret-value input");
        return field.GetAttribute("value") ?? field.TextContent;
    }
}
