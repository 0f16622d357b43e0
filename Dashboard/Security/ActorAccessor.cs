using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Security;

/// <summary>
/// Who acts: the audit log's name and the principal whose roles (a user) or scope (an API key) decide
/// what it may do. The name always comes from the principal: no caller names an actor of its own.
/// </summary>
public sealed record Actor(string Name, ClaimsPrincipal User);

/// <summary>Who is acting in the current scope (HTTP request or Blazor circuit), as the audit log names them.</summary>
public interface IActorAccessor
{
    Task<string> GetActorAsync();

    /// <summary>The actor with the principal to check.</summary>
    Task<Actor> GetIdentityAsync();
}

/// <summary>
/// Scoped. The principal of the circuit, or of the request (a signed-in user, or an API key signed in by
/// its scheme, whose name is the key's audit actor); "anonymous" when nobody is signed in.
/// </summary>
public sealed class ActorAccessor(IHttpContextAccessor httpContext, IServiceProvider services) : IActorAccessor
{
    public async Task<string> GetActorAsync() => (await GetIdentityAsync()).Name;

    public async Task<Actor> GetIdentityAsync()
    {
        var user = await GetUserAsync();
        return new Actor(
            user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : AuditActors.Anonymous,
            user);
    }

    private async Task<ClaimsPrincipal> GetUserAsync()
    {
        // In a circuit the authentication state is the reliable source: HttpContext there belongs to
        // the connection, not to the event being handled, and may be missing. It is also the one that
        // is revalidated, so a user demoted while the circuit is open acts with the new role.
        if (services.GetService<AuthenticationStateProvider>() is { } provider)
        {
            try
            {
                return (await provider.GetAuthenticationStateAsync()).User;
            }
            catch (InvalidOperationException)
            {
                // Outside a circuit or a component render the provider has no state and says so this way.
            }
        }
        return httpContext.HttpContext?.User ?? new ClaimsPrincipal(new ClaimsIdentity());
    }
}
