using AngleSharp.Dom;
using Bunit;
using Dashboard.Components.Pages.Admin;
using Dashboard.Security;
using MudBlazor;

namespace Dashboard.Tests.Components.Pages.Admin;

public class UsersPageTests : SecurityTestContext
{
    public UsersPageTests() => Users.Add("admin", UserRole.Admin, "admin-password", AuditActors.System);

    [Fact]
    public void AddUser_ValidInput_AppearsInListAndCanSignIn()
    {
        var (_, snackbars) = RenderProviders();
        var cut = Render<UsersPage>();

        cut.Find(".user-name-field input").Input("bob");
        cut.InvokeAsync(() => cut.FindComponent<AddUserForm>().FindComponent<MudSelect<UserRole>>().Instance.ValueChanged.InvokeAsync(UserRole.Operator));
        cut.Find(".password-field input").Input("bob-password");
        cut.Find("form.add-user-form").Submit();

        cut.WaitForAssertion(() => Assert.Equal(["admin", "bob"], Names(cut)));
        Assert.Equal(PasswordCheckStatus.Success, Users.VerifyPassword("bob", "bob-password").Status);
        Assert.Equal(UserRole.Operator, Users.Find("bob")!.Role);
        var added = Assert.Single(Audit.Query(new AuditQuery { Action = AuditActions.UserAdd, Target = "bob" }).Value.Entries);
        Assert.Equal("admin", added.Actor);
        snackbars.WaitForAssertion(() => Assert.Contains("Added bob as Operator", snackbars.Markup, StringComparison.Ordinal));
        // The form is empty again for the next user.
        Assert.Equal("", cut.Find(".user-name-field input").GetAttribute("value") ?? "");
    }

    [Theory]
    [InlineData("a:b", "User name contains ':'")]
    [InlineData("system", "User name \"system\" is reserved")]
    [InlineData("", "User name is empty")]
    public void AddUser_RefusedName_ShowsTheStoresMessage(string name, string message)
    {
        var cut = Render<UsersPage>();

        cut.Find(".user-name-field input").Input(name);
        cut.Find(".password-field input").Input("long-enough");
        cut.Find("form.add-user-form").Submit();

        cut.WaitForAssertion(() => Assert.Equal(message, cut.Find(".add-user-form + .form-message").TextContent.Trim()));
        Assert.Equal(["admin"], Names(cut));
    }

    [Fact]
    public void AddUser_ShortPassword_ShowsMessageAndAddsNobody()
    {
        var cut = Render<UsersPage>();

        cut.Find(".user-name-field input").Input("bob");
        cut.Find(".password-field input").Input("short");
        cut.Find("form.add-user-form").Submit();

        cut.WaitForAssertion(() => Assert.Equal("The password must have at least 8 characters", cut.Find(".form-message").TextContent.Trim()));
        Assert.Null(Users.Find("bob"));
    }

    [Fact]
    public void AddUser_HostileName_StaysText()
    {
        const string hostile = "<img src=x onerror=alert(1)>";
        var cut = Render<UsersPage>();

        cut.Find(".user-name-field input").Input(hostile);
        cut.Find(".password-field input").Input("long-enough");
        cut.Find("form.add-user-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(hostile, Names(cut)));
        Assert.Empty(cut.FindAll("img"));
    }

    [Fact]
    public void ChangeRole_Confirm_ChangesRoleAsTheSignedInAdmin()
    {
        Users.Add("bob", UserRole.Viewer, "bob-password", AuditActors.System);
        var (dialogs, snackbars) = RenderProviders();
        var cut = Render<UsersPage>();

        cut.InvokeAsync(() => RoleSelect(cut, "bob").Instance.ValueChanged.InvokeAsync(UserRole.Operator));
        dialogs.WaitForAssertion(() => Assert.Contains("Change the role of bob from Viewer to Operator?", dialogs.Markup, StringComparison.Ordinal));
        DialogButton(dialogs, "Change role");

        cut.WaitForAssertion(() => Assert.Equal(UserRole.Operator, Users.Find("bob")!.Role));
        var changed = Assert.Single(Audit.Query(new AuditQuery { Action = AuditActions.UserRole }).Value.Entries);
        Assert.Equal(("admin", "bob"), (changed.Actor, changed.Target));
        snackbars.WaitForAssertion(() => Assert.Contains("bob is now Operator", snackbars.Markup, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Equal("Operator", RoleSelect(cut, "bob").Find("input").GetAttribute("value")));
    }

    [Fact]
    public void ChangeRole_Cancel_KeepsTheStoredRole()
    {
        Users.Add("bob", UserRole.Viewer, "bob-password", AuditActors.System);
        var (dialogs, _) = RenderProviders();
        var cut = Render<UsersPage>();

        cut.InvokeAsync(() => RoleSelect(cut, "bob").Instance.ValueChanged.InvokeAsync(UserRole.Admin));
        dialogs.WaitForAssertion(() => DialogButton(dialogs, "Cancel"));

        cut.WaitForAssertion(() => Assert.Equal("Viewer", RoleSelect(cut, "bob").Find("input").GetAttribute("value")));
        Assert.Equal(UserRole.Viewer, Users.Find("bob")!.Role);
    }

    [Fact]
    public void ChangeRole_LastAdmin_ShowsTheStoresMessage()
    {
        var (dialogs, snackbars) = RenderProviders();
        var cut = Render<UsersPage>();

        cut.InvokeAsync(() => RoleSelect(cut, "admin").Instance.ValueChanged.InvokeAsync(UserRole.Viewer));
        dialogs.WaitForAssertion(() => DialogButton(dialogs, "Change role"));

        snackbars.WaitForAssertion(() => Assert.Contains("is the last Admin", snackbars.Markup, StringComparison.Ordinal));
        Assert.Equal(UserRole.Admin, Users.Find("admin")!.Role);
    }

    [Fact]
    public void ResetPassword_NewPassword_SignsInWithItOnly()
    {
        Users.Add("bob", UserRole.Viewer, "old-password", AuditActors.System);
        var (dialogs, snackbars) = RenderProviders();
        var cut = Render<UsersPage>();

        RowButton(cut, "Reset password of bob").Click();
        dialogs.WaitForAssertion(() => dialogs.Find(".new-password input").Input("new-password"));
        dialogs.Find(".repeat-password input").Input("new-password");
        DialogButton(dialogs, "Reset password");

        snackbars.WaitForAssertion(() => Assert.Contains("Reset the password of bob", snackbars.Markup, StringComparison.Ordinal));
        Assert.Equal(PasswordCheckStatus.Success, Users.VerifyPassword("bob", "new-password").Status);
        Assert.Equal(PasswordCheckStatus.Failed, Users.VerifyPassword("bob", "old-password").Status);
    }

    [Fact]
    public void ResetPassword_RepeatDiffers_CannotConfirm()
    {
        Users.Add("bob", UserRole.Viewer, "old-password", AuditActors.System);
        var (dialogs, _) = RenderProviders();
        var cut = Render<UsersPage>();

        RowButton(cut, "Reset password of bob").Click();
        dialogs.WaitForAssertion(() => dialogs.Find(".new-password input").Input("new-password"));
        dialogs.Find(".repeat-password input").Input("new-passwort");

        dialogs.WaitForAssertion(() => Assert.Contains("The passwords do not match", dialogs.Markup, StringComparison.Ordinal));
        Assert.True(dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Reset password").HasAttribute("disabled"));
    }

    [Fact]
    public void Delete_Confirm_RemovesTheUser()
    {
        Users.Add("bob", UserRole.Viewer, "bob-password", AuditActors.System);
        var (dialogs, _) = RenderProviders();
        var cut = Render<UsersPage>();

        RowButton(cut, "Delete bob").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Delete the user bob?", dialogs.Markup, StringComparison.Ordinal));
        DialogButton(dialogs, "Delete");

        cut.WaitForAssertion(() => Assert.Equal(["admin"], Names(cut)));
        Assert.Null(Users.Find("bob"));
        Assert.Equal(PasswordCheckStatus.Failed, Users.VerifyPassword("bob", "bob-password").Status);
    }

    [Fact]
    public void Delete_OwnRow_IsDisabled()
    {
        var cut = Render<UsersPage>();

        Assert.True(RowButton(cut, "Delete admin").HasAttribute("disabled"));
        Assert.Contains("(you)", cut.Find("tbody tr td.name").TextContent, StringComparison.Ordinal);
    }

    private static List<string> Names(IRenderedComponent<UsersPage> cut) =>
        [.. cut.FindAll("tbody td.name .name-text").Select(e => e.TextContent)];

    private static IElement RowButton(IRenderedComponent<UsersPage> cut, string name) =>
        cut.FindAll("tbody button").Single(b => b.GetAttribute("aria-label") == name);

    private static IRenderedComponent<MudSelect<UserRole>> RoleSelect(IRenderedComponent<UsersPage> cut, string user) =>
        cut.FindComponents<MudSelect<UserRole>>().Single(s => s.Instance.UserAttributes.TryGetValue("aria-label", out var label) && (string?)label == $"Role of {user}");
}
