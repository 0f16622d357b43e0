using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Security;

/// <summary>
/// Who acts: the audit log's name and, unless a caller that checked its own credentials named the actor
/// (the API, by its key), the principal whose roles decide what it may do.
/// </summary>
public sealed record Actor(string Name, ClaimsPrincipal? User);

/// <summary>Who is acting in the current scope (HTTP request or Blazor circuit), as the audit log names them.</summary>
public interface IActorAccessor
{
    Task<string> GetActorAsync();

    /// <summary>The actor with the principal to check; <see cref="Actor.User"/> is null when named explicitly.</summary>
    Task<Actor> GetIdentityAsync();
}

/// <summary>
/// Scoped. An explicit actor wins (the API sets the key's name after checking it, since API callers have
/// no signed-in user); otherwise the signed-in user of the circuit or request; otherwise "anonymous".
/// </summary>
public sealed class ActorAccessor(IHttpContextAccessor httpContext, IServiceProvider services) : IActorAccessor
{
    private string? _actor;

    /// <summary>Names the actor for the rest of this scope; whoever calls this has checked what it may do.</summary>
    public void Set(string actor) => _actor = actor;

    public async Task<string> GetActorAsync() => (await GetIdentityAsync()).Name;

    public async Task<Actor> GetIdentityAsync()
    {
        if (_actor is not null)
        {
            return new Actor(_actor, null);
        }
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
