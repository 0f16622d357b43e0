using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Security;

/// <summary>Who is acting in the current scope (HTTP request or Blazor circuit), as the audit log names them.</summary>
public interface IActorAccessor
{
    Task<string> GetActorAsync();
}

/// <summary>
/// Scoped. An explicit actor wins (the API sets the key's name after checking it, since API callers have
/// no signed-in user); otherwise the signed-in user of the circuit or request; otherwise "anonymous".
/// </summary>
public sealed class ActorAccessor(IHttpContextAccessor httpContext, IServiceProvider services) : IActorAccessor
{
    private string? _actor;

    /// <summary>Names the actor for the rest of this scope.</summary>
    public void Set(string actor) => _actor = actor;

    public async Task<string> GetActorAsync()
    {
        if (_actor is not null)
        {
            return _actor;
        }
        // In a circuit the authentication state is the reliable source: HttpContext there belongs to
        // the connection, not to the event being handled, and may be missing.
        if (services.GetService<AuthenticationStateProvider>() is { } provider)
        {
            try
            {
                var state = await provider.GetAuthenticationStateAsync();
                if (state.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name })
                {
                    return name;
                }
            }
            catch (InvalidOperationException)
            {
                // Outside a circuit or a component render the provider has no state and says so this way.
            }
        }
        return httpContext.HttpContext?.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } user }
            ? user
            : AuditActors.Anonymous;
    }
}
