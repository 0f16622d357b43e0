using System.Globalization;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages.Admin;

/// <summary>
/// /admin/keys: the API keys created here (never their secrets), creating one with its secret shown
/// once in a dialog, and revoking, which the API honours from its next request.
/// </summary>
public sealed partial class ApiKeysPage : AdminPage
{
    private IReadOnlyList<ApiKeyInfo> _keys = [];

    [Inject]
    public required ApiKeyStore Keys { get; init; }

    private string CountText => _keys.Count == 1 ? "1 API key" : string.Create(CultureInfo.InvariantCulture, $"{_keys.Count:N0} API keys");

    protected override void OnInitialized() => Reload();

    protected override void Reload() => _keys = Keys.List();

    private Task ShowCreatedAsync(CreatedApiKey created) => ShowSecretAsync(
        "API key created",
        $"API key \"{created.Key.Name}\" ({ApiKeyStore.ScopeText(created.Key.Scope)})",
        "API key",
        created.Secret,
        "Send it in the x-api-key header, or as the Basic user name with any password.");

    private Task RevokeAsync(ApiKeyInfo key) => RevokeAsync(
        $"Revoke the API key {key.Name}? Requests that present it are refused from now on; this cannot be undone.",
        $"Revoked the API key {key.Name}",
        actor => Keys.Revoke(key.Name, actor));
}
