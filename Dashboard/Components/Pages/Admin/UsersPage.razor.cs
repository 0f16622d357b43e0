using System.Globalization;
using Dashboard.Core.Query;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Dashboard.Components.Pages.Admin;

/// <summary>
/// /admin/users: the users with their roles, adding one, changing a role, resetting a password and
/// deleting, each confirmed and done as the signed-in admin. The store refuses what must not happen
/// (the last Admin, a taken or hostile name) with a message, which is shown as it is.
/// </summary>
public sealed partial class UsersPage : AdminPage
{
    private IReadOnlyList<UserInfo> _users = [];
    private string? _me;
    private int _version;

    [Inject]
    public required UserStore Users { get; init; }

    private string CountText => _users.Count == 1 ? "1 user" : string.Create(CultureInfo.InvariantCulture, $"{_users.Count:N0} users");

    protected override async Task OnInitializedAsync()
    {
        _me = await Actor.GetActorAsync();
        Reload();
    }

    private bool IsMe(UserInfo user) => string.Equals(user.Name, _me, StringComparison.OrdinalIgnoreCase);

    protected override void Reload()
    {
        _users = Users.List();
        _version++;
    }

    private async Task ChangeRoleAsync(UserInfo user, UserRole role)
    {
        if (role != user.Role && await ConfirmAsync(
            $"Change the role of {user.Name} from {user.Role} to {role}? Their open sessions end at their next request.", "Change role", Color.Primary))
        {
            Report(Users.ChangeRole(user.Name, role, await Actor.GetActorAsync()), $"{user.Name} is now {role}");
        }
        Reload();
    }

    private async Task ResetPasswordAsync(UserInfo user)
    {
        var dialog = await Dialogs.ShowAsync<ResetPasswordDialog>(
            "Reset password", new DialogParameters<ResetPasswordDialog> { { d => d.UserName, user.Name } });
        if (await dialog.Result is not { Canceled: false, Data: string password })
        {
            return;
        }
        var actor = await Actor.GetActorAsync();
        // Off the renderer's thread: hashing takes a noticeable moment.
        Report(await Task.Run(() => Users.ResetPassword(user.Name, password, actor)), $"Reset the password of {user.Name}");
        Reload();
    }

    private async Task DeleteAsync(UserInfo user)
    {
        if (await ConfirmAsync($"Delete the user {user.Name}? They can no longer sign in.", "Delete", Color.Error))
        {
            Report(Users.Delete(user.Name, await Actor.GetActorAsync()), $"Deleted {user.Name}");
            Reload();
        }
    }

    private async Task<bool> ConfirmAsync(string text, string confirm, Color color)
    {
        var dialog = await Dialogs.ShowAsync<ConfirmDialog>(confirm, new DialogParameters<ConfirmDialog>
        {
            { d => d.Text, text }, { d => d.ConfirmText, confirm }, { d => d.ConfirmColor, color },
        });
        return await dialog.Result is { Canceled: false };
    }

    // Render fragments, not strings, so names in the messages stay text.
    private void Report<T>(Result<T> result, string success) =>
        Snackbar.Add(builder => builder.AddContent(0, result.IsSuccess ? success : result.Error),
            result.IsSuccess ? Severity.Success : Severity.Error, configure => configure.VisibleStateDuration = 8000);
}
