using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Components;

/// <summary>Policy checks for components that decide in code what to show (where an AuthorizeView would not fit, e.g. grid columns).</summary>
internal static class AuthorizationChecks
{
    /// <summary>Whether the cascaded user satisfies <paramref name="policy"/>; nobody (no cascaded state) satisfies none.</summary>
    public static async Task<bool> AllowsAsync(this IAuthorizationService authorization, Task<AuthenticationState>? state, string policy)
    {
        var user = state is null ? new ClaimsPrincipal(new ClaimsIdentity()) : (await state).User;
        return (await authorization.AuthorizeAsync(user, policy)).Succeeded;
    }
}
