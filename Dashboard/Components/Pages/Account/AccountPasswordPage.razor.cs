using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Components.Pages.Account;

/// <summary>/account/password: any signed-in user changes their own password, proving the current one.</summary>
public sealed partial class AccountPasswordPage
{
    private string? _userName;
    private string? _current;
    private string? _new;
    private string? _repeat;
    private string? _message;
    private bool _succeeded;
    private bool _busy;

    [Inject]
    public required UserStore Users { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [CascadingParameter]
    public Task<AuthenticationState>? AuthenticationState { get; set; }

    private string? Mismatch => !string.IsNullOrEmpty(_repeat) && _repeat != _new ? "The new passwords do not match" : null;

    protected override async Task OnParametersSetAsync()
    {
        // Whose password this is comes from the sign-in, never from the form.
        _userName = AuthenticationState is null ? null
            : (await AuthenticationState).User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;
    }

    private async Task ChangeAsync()
    {
        if (_userName is not { } name)
        {
            Show("Sign in first: only a signed-in user can change their password", succeeded: false);
            return;
        }
        if (_new != _repeat)
        {
            Show("The new passwords do not match", succeeded: false);
            return;
        }
        _busy = true;
        try
        {
            var (current, next) = (_current ?? "", _new ?? "");
            // Off the renderer's thread: checking and hashing passwords take a noticeable moment.
            var changed = await Task.Run(() => Users.ChangeOwnPassword(name, current, next));
            if (changed.IsSuccess)
            {
                _current = _new = _repeat = null;
                // The new password gives the user a new security stamp, which ends every sign-in they had,
                // this one too: rather than be thrown out at the next check, they sign in again now.
                // Relative to the base address, which holds Http:BasePath behind a proxy; returnUrl is a path on the site.
                var sessions = Uri.EscapeDataString(new Uri(Navigation.BaseUri).AbsolutePath + "sessions");
                Navigation.NavigateTo($"login?reason={LoginPage.PasswordChangedReason}&returnUrl={sessions}", forceLoad: true);
            }
            else
            {
                Show(changed.Error!, succeeded: false);
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private void Show(string message, bool succeeded) => (_message, _succeeded) = (message, succeeded);
}
