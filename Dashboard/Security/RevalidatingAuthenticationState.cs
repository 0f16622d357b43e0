using Dashboard.Hosting;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// A circuit can stay open for days (a wall screen, a grid left open), long after its cookie was checked.
/// Every <c>Auth:RevalidateInterval</c> (default 30 s) the circuit's principal is checked again; when it no
/// longer stands the circuit becomes anonymous, its pages show the sign-in redirect and actions are refused.
/// </summary>
public sealed class RevalidatingAuthenticationState(
    ILoggerFactory loggerFactory, PrincipalValidator validator, IOptions<AuthOptions> auth)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<RevalidatingAuthenticationState>();

    protected override TimeSpan RevalidationInterval => auth.Value.RevalidateInterval;

    /// <summary>Public so tests can run one revalidation without waiting for the interval.</summary>
    public Task<bool> RevalidateAsync(AuthenticationState state, CancellationToken cancellationToken = default) =>
        ValidateAuthenticationStateAsync(state, cancellationToken);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        try
        {
            return Task.FromResult(validator.IsCurrent(authenticationState.User));
        }
        catch (Microsoft.Data.Sqlite.SqliteException exception)
        {
            // The database cannot be read this round (locked by another program). Thrown, it would end the
            // circuit's revalidation for good (the framework stops at the first exception); the sign-in is
            // checked again at the next interval instead.
            _logger.LogWarning(exception, "Could not check an open page's sign-in against the database; trying again in {Interval}", RevalidationInterval);
            return Task.FromResult(true);
        }
    }
}
