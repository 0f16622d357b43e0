using Dashboard.Core.Query;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Dashboard.Components.Pages.Admin;

/// <summary>
/// What the admin pages share: who acts, times in the browser's zone, and for keys and tokens the
/// once-only secret dialog and a confirmed, audited revocation. The pages keep their own list and wording.
/// </summary>
public abstract class AdminPage : ComponentBase
{
    [Inject]
    public required IActorAccessor Actor { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required BrowserTimeZone BrowserTime { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    protected TimeZoneInfo Zone => BrowserTime.Zone ?? TimeZoneInfo.Utc;

    protected string ZoneText => BrowserTime.Zone is { } zone ? $"your browser's time zone ({zone.Id})" : "UTC";

    protected DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Reads the list again after a change.</summary>
    protected abstract void Reload();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive && BrowserTime.Zone is null)
        {
            await BrowserTime.GetAsync("./" + Assets[BrowserTimeZone.ModuleName]);
            StateHasChanged();
        }
    }

    /// <summary>Shows a new secret (or a link carrying it) this once, then the list with its new row.</summary>
    protected async Task ShowSecretAsync(string heading, string title, string label, string value, string hint)
    {
        Reload();
        var dialog = await Dialogs.ShowAsync<SecretDialog>(heading, new DialogParameters<SecretDialog>
        {
            { d => d.Title, title },
            { d => d.Label, label },
            { d => d.Value, value },
            { d => d.Hint, hint },
        });
        await dialog.Result;
    }

    /// <summary>Asks <paramref name="question"/>, then revokes as the signed-in user and says how it went.</summary>
    protected async Task RevokeAsync<T>(string question, string done, Func<string, Result<T>> revoke)
    {
        ArgumentNullException.ThrowIfNull(revoke);
        var dialog = await Dialogs.ShowAsync<ConfirmDialog>("Revoke", new DialogParameters<ConfirmDialog>
        {
            { d => d.Text, question },
            { d => d.ConfirmText, "Revoke" },
            { d => d.ConfirmColor, Color.Error },
        });
        if (await dialog.Result is not { Canceled: false })
        {
            return;
        }
        var revoked = revoke(await Actor.GetActorAsync());
        // A render fragment, not a string, so the name stays text.
        Snackbar.Add(builder => builder.AddContent(0, revoked.IsSuccess ? done : revoked.Error),
            revoked.IsSuccess ? Severity.Success : Severity.Error);
        Reload();
    }
}
