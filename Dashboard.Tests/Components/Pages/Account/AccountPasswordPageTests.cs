using Bunit;
using Dashboard.Components.Pages.Account;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components.Pages.Account;

public class AccountPasswordPageTests : SecurityTestContext
{
    public AccountPasswordPageTests()
    {
        Users.Add("carol", UserRole.Viewer, "old-password", AuditActors.System);
        SignIn("carol", UserRole.Viewer);
    }

    [Fact]
    public void Change_RightCurrentPassword_ChangesIt()
    {
        var cut = Render<AccountPasswordPage>();

        Fill(cut, "old-password", "new-password", "new-password");

        // The new password ends every sign-in, this one too: the page sends the user to sign in again.
        var navigation = Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith("/login?reason=password-changed&returnUrl=%2Fsessions", navigation.Uri, StringComparison.Ordinal));
        Assert.Equal(PasswordCheckStatus.Success, Users.VerifyPassword("carol", "new-password").Status);
        Assert.Equal(PasswordCheckStatus.Failed, Users.VerifyPassword("carol", "old-password").Status);
    }

    [Fact]
    public void Change_WrongCurrentPassword_SaysSoAndKeepsTheOld()
    {
        var cut = Render<AccountPasswordPage>();

        Fill(cut, "wrong-password", "new-password", "new-password");

        cut.WaitForAssertion(() => Assert.Equal("The current password is wrong", cut.Find(".form-message").TextContent.Trim()));
        Assert.Equal(PasswordCheckStatus.Success, Users.VerifyPassword("carol", "old-password").Status);
    }

    [Fact]
    public void Change_RepeatDiffers_SaysSoWithoutTrying()
    {
        var cut = Render<AccountPasswordPage>();

        Fill(cut, "old-password", "new-password", "new-passwort");

        cut.WaitForAssertion(() => Assert.Equal("The new passwords do not match", cut.Find(".form-message").TextContent.Trim()));
        // No attempt was made, so none is counted towards a lockout.
        Assert.Empty(Audit.Query(new AuditQuery { Action = AuditActions.UserChangePassword }).Value.Entries);
    }

    [Fact]
    public void Change_TooShort_ShowsTheRule()
    {
        var cut = Render<AccountPasswordPage>();

        Fill(cut, "old-password", "short", "short");

        cut.WaitForAssertion(() => Assert.Equal("The password must have at least 8 characters", cut.Find(".form-message").TextContent.Trim()));
    }

    [Fact]
    public void Render_ShowsWhoIsSignedIn()
    {
        var cut = Render<AccountPasswordPage>();

        Assert.Equal("carol", cut.Find(".page-note .name-text").TextContent);
    }

    private static void Fill(IRenderedComponent<AccountPasswordPage> cut, string current, string next, string repeat)
    {
        cut.Find(".current-password input").Input(current);
        cut.Find(".new-password input").Input(next);
        cut.Find(".repeat-password input").Input(repeat);
        cut.Find("form").Submit();
    }
}
