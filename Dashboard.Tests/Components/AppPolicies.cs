using System.Security.Claims;
using Dashboard.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components;

/// <summary>
/// Which of the app's policies a role satisfies, decided by the app's own <see cref="Policies"/>
/// registration through ASP.NET Core's authorization service. bUnit grants policies by name; asking
/// the real policies (instead of a copy of their rules) means a change in <see cref="Policies"/> shows
/// in every component test.
/// </summary>
internal static class AppPolicies
{
    private static readonly string[] Names = [Policies.View, Policies.Act, Policies.Admin, Policies.Wall];

    private static readonly Lazy<IAuthorizationService> Service = new(() =>
        new ServiceCollection().AddLogging().AddDashboardPolicies().BuildServiceProvider().GetRequiredService<IAuthorizationService>());

    /// <summary>The policies a principal with the role claim <paramref name="role"/> satisfies in the app.</summary>
    public static string[] GrantedTo(string role)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "test"));
        return [.. Names.Where(name => Service.Value.AuthorizeAsync(user, name).GetAwaiter().GetResult().Succeeded)];
    }
}
