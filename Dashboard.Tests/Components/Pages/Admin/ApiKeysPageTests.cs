using Bunit;
using Dashboard.Components.Pages.Admin;
using Dashboard.Security;
using MudBlazor;

namespace Dashboard.Tests.Components.Pages.Admin;

public class ApiKeysPageTests : SecurityTestContext
{
    [Fact]
    public void Create_MgmtKey_ShowsTheSecretOnceAndListsItWithout()
    {
        var (dialogs, _) = RenderProviders();
        var cut = Render<ApiKeysPage>();

        cut.Find(".key-name-field input").Input("deploy-script");
        cut.InvokeAsync(() => cut.FindComponent<MudSelect<ApiKeyScope>>().Instance.ValueChanged.InvokeAsync(ApiKeyScope.Mgmt));
        cut.Find("form.create-key-form").Submit();

        dialogs.WaitForAssertion(() => Assert.Contains("Copy it now: it is not shown again", dialogs.Markup, StringComparison.Ordinal));
        var secret = dialogs.Find(".secret-value input").GetAttribute("value")!;
        Assert.StartsWith(ApiKeyStore.SecretPrefix, secret, StringComparison.Ordinal);
        Assert.Equal("deploy-script", ApiKeys.Verify(secret)?.Name);
        Assert.Equal(ApiKeyScope.Mgmt, ApiKeys.Verify(secret)?.Scope);
        Assert.True(dialogs.Find(".secret-value input").HasAttribute("readonly"));

        DialogButton(dialogs, "Done");
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll(".secret-value")));
        cut.WaitForAssertion(() => Assert.Equal("deploy-script", cut.Find("tbody td.name").TextContent));
        Assert.Equal("mgmt", cut.Find("tbody td.scope").TextContent);
        Assert.DoesNotContain(secret, cut.Markup, StringComparison.Ordinal);
        Assert.Contains(secret[..11], cut.Find("tbody td.prefix").TextContent, StringComparison.Ordinal);
        Assert.Equal("admin", Assert.Single(ApiKeys.List()).CreatedBy);
    }

    [Fact]
    public void Create_WithExpiryDate_ExpiresAtTheStartOfThatDay()
    {
        var (dialogs, _) = RenderProviders();
        var cut = Render<ApiKeysPage>();

        cut.Find(".key-name-field input").Input("temporary");
        cut.Find(".expires-field input").Change("2019-03-01");
        cut.Find("form.create-key-form").Submit();

        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll(".secret-value")));
        // The browser's zone is not known in the test, so the day is UTC's.
        Assert.Equal(new DateTimeOffset(2019, 3, 1, 0, 0, 0, TimeSpan.Zero), Assert.Single(ApiKeys.List()).Expires);
    }

    [Theory]
    [InlineData("", "", "The API key's name is empty")]
    [InlineData("past", "2019-01-01", "The expiry 2019-01-01 00:00 UTC is not in the future")]
    public void Create_BadInput_ShowsTheMessageAndCreatesNothing(string name, string expires, string message)
    {
        var cut = Render<ApiKeysPage>();

        cut.Find(".key-name-field input").Input(name);
        cut.Find(".expires-field input").Change(expires);
        cut.Find("form.create-key-form").Submit();

        cut.WaitForAssertion(() => Assert.Equal(message, cut.Find(".form-message").TextContent.Trim()));
        Assert.Empty(ApiKeys.List());
    }

    [Fact]
    public void Create_TakenName_ShowsTheStoresMessage()
    {
        ApiKeys.Create("ci", ApiKeyScope.Read, null, AuditActors.System);
        var cut = Render<ApiKeysPage>();

        cut.Find(".key-name-field input").Input("ci");
        cut.Find("form.create-key-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("already exists", cut.Find(".form-message").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Revoke_Confirm_TheKeyNoLongerVerifies()
    {
        var secret = ApiKeys.Create("ci", ApiKeyScope.Read, null, AuditActors.System).Value.Secret;
        var (dialogs, _) = RenderProviders();
        var cut = Render<ApiKeysPage>();

        cut.Find("button[aria-label='Revoke ci']").Click();
        dialogs.WaitForAssertion(() => DialogButton(dialogs, "Revoke"));

        cut.WaitForAssertion(() => Assert.Equal("Revoked", cut.Find("tbody .status-chip").TextContent.Trim()));
        Assert.Null(ApiKeys.Verify(secret));
        Assert.Empty(cut.FindAll("button[aria-label='Revoke ci']"));
        Assert.Equal("admin", Assert.Single(ApiKeys.List()).RevokedBy);
    }

    [Fact]
    public void Render_SaysConfiguredKeysAreNotListed()
    {
        var cut = Render<ApiKeysPage>();

        Assert.Contains("Keys from the configuration (Api:Keys) are not listed here", cut.Find(".page-note").TextContent, StringComparison.Ordinal);
        Assert.Equal("No API keys yet.", cut.Find(".empty-note").TextContent);
    }

    [Fact]
    public void Render_HostileKeyName_StaysText()
    {
        ApiKeys.Create("<img src=x onerror=alert(1)>", ApiKeyScope.Read, null, "<b>bold</b>");
        var cut = Render<ApiKeysPage>();

        Assert.Equal("<img src=x onerror=alert(1)>", cut.Find("tbody td.name").TextContent);
        Assert.Empty(cut.FindAll("tbody img"));
        Assert.Empty(cut.FindAll("tbody b"));
    }
}
