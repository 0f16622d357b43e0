using System.Globalization;
using System.Security.Claims;

namespace Dashboard.Security;

/// <summary>
/// Whether a signed-in principal still stands: the user exists with the same security stamp (a password
/// reset, role change or deletion changes or removes it), or the wall token is still active (not revoked,
/// not expired). Used by the cookie on every request and by open circuits on an interval, so a demotion
/// or revocation reaches sessions that are already open; a sign-in ended by signing out stands nowhere.
/// Each check is one indexed SQLite read.
/// </summary>
public sealed class PrincipalValidator(UserStore users, WallTokenStore wallTokens, ApiKeyStore apiKeys, EndedSignIns endedSignIns)
{
    public bool IsCurrent(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true)
        {
            // Nothing to revoke.
            return true;
        }
        if (principal.Identity.AuthenticationType == Api.ApiKeyAuthentication.SchemeName)
        {
            // Configured keys live as long as the configuration; stored ones until revoked or expired.
            return principal.FindFirst(Api.ApiKeyAuthentication.StoredKeyIdClaim)?.Value is not { } keyId
                || (long.TryParse(keyId, NumberStyles.None, CultureInfo.InvariantCulture, out var key) && apiKeys.IsActive(key));
        }
        // Signed out: this cookie is over wherever it is replayed (cookies from before sign-in ids carry none).
        if (principal.FindFirst(DashboardClaims.SignInId)?.Value is { } signIn && endedSignIns.IsEnded(signIn))
        {
            return false;
        }
        if (principal.FindFirst(DashboardClaims.WallTokenId)?.Value is { } tokenId)
        {
            return long.TryParse(tokenId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                && wallTokens.IsActive(id);
        }
        var name = principal.Identity.Name;
        var stamp = principal.FindFirst(DashboardClaims.SecurityStamp)?.Value;
        if (string.IsNullOrEmpty(name) || stamp is null)
        {
            return false;
        }
        // A role change also changes the stamp; the role is compared too so a cookie can never carry
        // a role the user does not have.
        return users.Find(name) is { } user
            && string.Equals(user.SecurityStamp, stamp, StringComparison.Ordinal)
            && principal.IsInRole(user.Role.ToString());
    }
}
