using System.Globalization;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Dashboard.Components.Pages.Admin;

/// <summary>
/// /admin/tokens: the wall-screen tokens (never their secrets), creating one with its wall link shown
/// once in a dialog, and revoking.
/// </summary>
public sealed partial class WallTokensPage
{
    private IReadOnlyList<WallTokenInfo> _tokens = [];

    [Inject]
    public required WallTokenStore Tokens { get; init; }

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

    private string CountText => _tokens.Count == 1 ? "1 wall token" : string.Create(CultureInfo.InvariantCulture, $"{_tokens.Count:N0} wall tokens");

    protected override void OnInitialized() => _tokens = Tokens.List();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive && BrowserTime.Zone is null)
        {
            await BrowserTime.GetAsync("./" + Assets[BrowserTimeZone.ModuleName]);
            StateHasChanged();
        }
    }

    private async Task ShowCreatedAsync((CreatedWallToken Token, string Link) created)
    {
        _tokens = Tokens.List();
        var dialog = await Dialogs.ShowAsync<SecretDialog>("Wall token created", new DialogParameters<SecretDialog>
        {
            { d => d.Title, $"Wall token \"{created.Token.Token.Name}\"" },
            { d => d.Label, "Wall URL" },
            { d => d.Value, created.Link },
            { d => d.Hint, "Open it on the screen; the token in it is the secret, so share the link like a password." },
        });
        await dialog.Result;
    }

    private async Task RevokeAsync(WallTokenInfo token)
    {
        var dialog = await Dialogs.ShowAsync<ConfirmDialog>("Revoke", new DialogParameters<ConfirmDialog>
        {
            { d => d.Text, $"Revoke the wall token {token.Name}? Screens that use it stop showing the wall; this cannot be undone." },
            { d => d.ConfirmText, "Revoke" },
            { d => d.ConfirmColor, Color.Error },
        });
        if (await dialog.Result is not { Canceled: false })
        {
            return;
        }
        var revoked = Tokens.Revoke(token.Name, await Actor.GetActorAsync());
        // A render fragment, not a string, so the name stays text.
        Snackbar.Add(builder => builder.AddContent(0, revoked.IsSuccess ? $"Revoked the wall token {token.Name}" : revoked.Error),
            revoked.IsSuccess ? Severity.Success : Severity.Error);
        _tokens = Tokens.List();
    }
}
