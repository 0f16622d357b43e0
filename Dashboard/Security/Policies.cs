using System.Security.Claims;
using Dashboard.Api;

namespace Dashboard.Security;

/// <summary>
/// What a caller may do, by the name pages and endpoints ask for: every policy of the app but the live
/// feed's (<see cref="Hubs.LiveHosting.FeedPolicy"/>, which picks among three schemes). A user's role claim
/// is the <see cref="UserRole"/> name; each role includes the ones before it. A wall-screen token signs in
/// a principal with the <see cref="WallRole"/> role, which satisfies <see cref="Wall"/> and nothing else.
/// An API key signs in through its own scheme (<see cref="ApiKeyAuthentication"/>) with a scope claim,
/// which satisfies <see cref="ApiRead"/> or both API policies and nothing else (docs/security.md).
/// </summary>
public static class Policies
{
    /// <summary>Browse sessions, their details, exports and the wall: Viewer, Operator, Admin.</summary>
    public const string View = "View";

    /// <summary>Disconnect and reauthorize: Operator, Admin.</summary>
    public const string Act = "Act";

    /// <summary>Users, API keys, wall tokens and the audit log: Admin.</summary>
    public const string Admin = "Admin";

    /// <summary>The wall page and its feed: any signed-in user, or a wall-screen token.</summary>
    public const string Wall = "Wall";

    /// <summary>The API's reading endpoints (<c>session show</c>) and <c>/metrics</c>: an API key of either scope.</summary>
    public const string ApiRead = "ApiRead";

    /// <summary>The API's actions (disconnect, reauthorize, blocks): an API key of the mgmt scope.</summary>
    public const string ApiMgmt = "ApiMgmt";

    /// <summary>The role claim of a principal signed in with a wall-screen token.</summary>
    public const string WallRole = "WallScreen";

    /// <summary>The role names that satisfy <paramref name="least"/> or any role above it.</summary>
    public static string[] RolesFrom(UserRole least) =>
        [.. Enum.GetValues<UserRole>().Where(role => role >= least).Select(role => role.ToString())];

    /// <summary>The policies above, for <c>AddAuthorizationBuilder</c>.</summary>
    public static IServiceCollection AddDashboardPolicies(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(View, policy => policy.RequireRole(RolesFrom(UserRole.Viewer)))
            .AddPolicy(Act, policy => policy.RequireRole(RolesFrom(UserRole.Operator)))
            .AddPolicy(Admin, policy => policy.RequireRole(RolesFrom(UserRole.Admin)))
            .AddPolicy(Wall, policy => policy.RequireRole([.. RolesFrom(UserRole.Viewer), WallRole]))
            // Only the API key's scheme is asked, so a sign-in cookie never reaches the API: a browser
            // signed in to the dashboard cannot be made to call it from another page.
            .AddPolicy(ApiRead, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName)
                .RequireClaim(ApiKeyAuthentication.ScopeClaim, ApiKeyStore.ScopeText(ApiKeyScope.Read), ApiKeyStore.ScopeText(ApiKeyScope.Mgmt)))
            .AddPolicy(ApiMgmt, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName)
                .RequireClaim(ApiKeyAuthentication.ScopeClaim, ApiKeyStore.ScopeText(ApiKeyScope.Mgmt)));
        return services;
    }

    /// <summary>Whether <paramref name="user"/> holds <paramref name="least"/> or a role above it.</summary>
    public static bool HasRole(this ClaimsPrincipal user, UserRole least) =>
        RolesFrom(least).Any(user.IsInRole);

    /// <summary>
    /// Whether <paramref name="user"/> may act on sessions and blocks: an Operator or Admin, or an API key
    /// of the mgmt scope. Checked again by the actions themselves, whatever the page or endpoint checked.
    /// </summary>
    public static bool MayAct(this ClaimsPrincipal user) =>
        user.HasRole(UserRole.Operator) || user.HasClaim(ApiKeyAuthentication.ScopeClaim, ApiKeyStore.ScopeText(ApiKeyScope.Mgmt));

    /// <summary>
    /// Why <paramref name="user"/> may not act, as the audit log words it: "role Viewer", "API key scope
    /// read", or null when nobody is signed in.
    /// </summary>
    public static string? Standing(this ClaimsPrincipal user) =>
        user.RoleName() is { } role ? $"role {role}"
        : user.Identity?.IsAuthenticated == true && user.FindFirst(ApiKeyAuthentication.ScopeClaim)?.Value is { } scope ? $"API key scope {scope}"
        : null;
}
