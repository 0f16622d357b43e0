using System.Globalization;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages.Admin;

/// <summary>
/// /admin/tokens: the wall-screen tokens (never their secrets), creating one with its wall link shown
/// once in a dialog, and revoking.
/// </summary>
public sealed partial class WallTokensPage : AdminPage
{
    private IReadOnlyList<WallTokenInfo> _tokens = [];

    [Inject]
    public required WallTokenStore Tokens { get; init; }

    private string CountText => _tokens.Count == 1 ? "1 wall token" : string.Create(CultureInfo.InvariantCulture, $"{_tokens.Count:N0} wall tokens");

    protected override void OnInitialized() => Reload();

    protected override void Reload() => _tokens = Tokens.List();

    private Task ShowCreatedAsync((CreatedWallToken Token, string Link) created) => ShowSecretAsync(
        "Wall token created",
        $"Wall token \"{created.Token.Token.Name}\"",
        "Wall URL",
        created.Link,
        "Open it on the screen; the token in it is the secret, so share the link like a password.");

    private Task RevokeAsync(WallTokenInfo token) => RevokeAsync(
        $"Revoke the wall token {token.Name}? Screens that use it stop showing the wall; this cannot be undone.",
        $"Revoked the wall token {token.Name}",
        actor => Tokens.Revoke(token.Name, actor));
}
