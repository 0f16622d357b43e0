using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Dashboard.Security;

/// <summary>
/// The principals the sign-in cookie carries: a user (name, role, security stamp) or a wall screen
/// (role <see cref="Policies.WallRole"/>, the token's id). The stamp and the token id are what
/// <see cref="PrincipalValidator"/> checks again on every request and, in a circuit, every interval.
/// </summary>
public static class DashboardClaims
{
    /// <summary>The cookie scheme; the default one for pages.</summary>
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>The user's <see cref="UserInfo.SecurityStamp"/> when the cookie was issued.</summary>
    public const string SecurityStamp = "dashboard:stamp";

    /// <summary>This sign-in's own id, ended by signing out (<see cref="EndedSignIns"/>).</summary>
    public const string SignInId = "dashboard:sign-in";

    /// <summary>The id of the wall token a wall-screen principal signed in with.</summary>
    public const string WallTokenId = "dashboard:wall-token";

    /// <summary>The audit actor and display name of a wall screen.</summary>
    public static string WallName(string tokenName) => "wall:" + tokenName;

    public static ClaimsPrincipal ForUser(UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, user.Name),
            new Claim(ClaimTypes.Role, user.Role.ToString()),
            new Claim(SecurityStamp, user.SecurityStamp),
            new Claim(SignInId, Guid.NewGuid().ToString("N")),
        ], Scheme));
    }

    public static ClaimsPrincipal ForWall(WallTokenInfo token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, WallName(token.Name)),
            new Claim(ClaimTypes.Role, Policies.WallRole),
            new Claim(WallTokenId, token.Id.ToString(CultureInfo.InvariantCulture)),
            new Claim(SignInId, Guid.NewGuid().ToString("N")),
        ], Scheme));
    }

    /// <summary>Whether this principal came from a wall token rather than a user.</summary>
    public static bool IsWallScreen(this ClaimsPrincipal principal) =>
        principal?.FindFirst(WallTokenId) is not null;

    /// <summary>The role as the UI names it ("Viewer", "WallScreen"), or null when not signed in.</summary>
    public static string? RoleName(this ClaimsPrincipal principal) =>
        principal?.Identity?.IsAuthenticated == true ? principal.FindFirst(ClaimTypes.Role)?.Value : null;
}
