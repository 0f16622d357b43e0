using System.Globalization;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Dashboard.Components.Pages.Admin;

/// <summary>
/// /admin/keys: the API keys created here (never their secrets), creating one with its secret shown
/// once in a dialog, and revoking, which the API honours from its next request.
/// </summary>
public sealed partial class ApiKeysPage
{
    private IReadOnlyList<ApiKeyInfo> _keys = [];

    [Inject]
    public required ApiKeyStore Keys { get; init; }

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

    private TimeZoneInfo Zone => BrowserTime.Zone ?? TimeZoneInfo.Utc;

    private string ZoneText => BrowserTime.Zone is { } zone ? $"your browser's time zone ({zone.Id})" : "UTC";

    private DateTimeOffset Now => Time.GetUtcNow();

    private string CountText => _keys.Count == 1 ? "1 API key" : string.Create(CultureInfo.InvariantCulture, $"{_keys.Count:N0} API keys");

    protected override void OnInitialized() => _keys = Keys.List();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive && BrowserTime.Zone is null)
        {
            await BrowserTime.GetAsync("./" + Assets[BrowserTimeZone.ModuleName]);
            StateHasChanged();
        }
    }

    private async Task ShowCreatedAsync(CreatedApiKey created)
    {
        _keys = Keys.List();
        var dialog = await Dialogs.ShowAsync<SecretDialog>("API key created", new DialogParameters<SecretDialog>
        {
            { d => d.Title, $"API key \"{created.Key.Name}\" ({ApiKeyStore.ScopeText(created.Key.Scope)})" },
            { d => d.Label, "API key" },
            { d => d.Value, created.Secret },
            { d => d.Hint, "Send it in the x-api-key header, or as the Basic user name with any password." },
        });
        await dialog.Result;
    }

    private async Task RevokeAsync(ApiKeyInfo key)
    {
        var dialog = await Dialogs.ShowAsync<ConfirmDialog>("Revoke", new DialogParameters<ConfirmDialog>
        {
            { d => d.Text, $"Revoke the API key {key.Name}? Requests that present it are refused from now on; this cannot be undone." },
            { d => d.ConfirmText, "Revoke" },
            { d => d.ConfirmColor, Color.Error },
        });
        if (await dialog.Result is not { Canceled: false })
        {
            return;
        }
        var revoked = Keys.Revoke(key.Name, await Actor.GetActorAsync());
        // A render fragment, not a string, so the name stays text.
        Snackbar.Add(builder => builder.AddContent(0, revoked.IsSuccess ? $"Revoked the API key {key.Name}" : revoked.Error),
            revoked.IsSuccess ? Severity.Success : Severity.Error);
        _keys = Keys.List();
    }
}
