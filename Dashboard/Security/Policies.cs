using System.Security.Claims;

namespace Dashboard.Security;

/// <summary>
/// What a caller may do, by the name pages and endpoints ask for. A user's role claim is the
/// <see cref="UserRole"/> name; each role includes the ones before it. A wall-screen token signs in a
/// principal with the <see cref="WallRole"/> role, which satisfies <see cref="Wall"/> and nothing else.
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
            .AddPolicy(Wall, policy => policy.RequireRole([.. RolesFrom(UserRole.Viewer), WallRole]));
        return services;
    }

    /// <summary>Whether <paramref name="user"/> holds <paramref name="least"/> or a role above it.</summary>
    public static bool HasRole(this ClaimsPrincipal user, UserRole least) =>
        RolesFrom(least).Any(user.IsInRole);
}
