using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Dashboard.Components.Pages.Admin;

/// <summary>Adds a user as the signed-in admin and tells the page, which lists users.</summary>
public sealed partial class AddUserForm
{
    private string? _name;
    private UserRole _role = UserRole.Viewer;
    private string? _password;
    private string? _error;
    private bool _busy;

    [Inject]
    public required UserStore Users { get; init; }

    [Inject]
    public required IActorAccessor Actor { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    /// <summary>Called with the user just added.</summary>
    [Parameter]
    public EventCallback<UserInfo> OnAdded { get; set; }

    private async Task AddAsync()
    {
        _busy = true;
        try
        {
            var actor = await Actor.GetActorAsync();
            // Off the renderer's thread: hashing the password takes a noticeable moment.
            var (name, role, password) = (_name ?? "", _role, _password ?? "");
            var added = await Task.Run(() => Users.Add(name, role, password, actor));
            if (!added.IsSuccess)
            {
                _error = added.Error;
                return;
            }
            _error = null;
            _name = null;
            _password = null;
            _role = UserRole.Viewer;
            // A render fragment, not a string, so the name stays text.
            Snackbar.Add(builder => builder.AddContent(0, $"Added {added.Value.Name} as {added.Value.Role}"), Severity.Success);
            await OnAdded.InvokeAsync(added.Value);
        }
        finally
        {
            _busy = false;
        }
    }
}
