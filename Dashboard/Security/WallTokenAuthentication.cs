using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Dashboard.Security;

/// <summary>
/// Signs a live-feed request in by a wall token, for a wall screen of its own that follows the hub: as
/// SignalR's <c>access_token</c> (browsers cannot set WebSocket headers) or <c>Authorization: Bearer</c>.
/// The principal is the same wall-screen principal as the cookie's, so it satisfies the feed and nothing else.
/// </summary>
internal sealed class WallTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, WallTokenStore tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "WallToken";

    /// <summary>The wall token presented with the request, if any.</summary>
    public static string? Presented(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Query["access_token"] is [{ } token] && token.StartsWith(WallTokenStore.SecretPrefix, StringComparison.Ordinal))
        {
            return token;
        }
        var header = request.Headers[HeaderNames.Authorization].ToString();
        return header.StartsWith("Bearer " + WallTokenStore.SecretPrefix, StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Presented(Request) is not { } secret)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (tokens.Verify(secret) is not { } token)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown, revoked or expired wall token"));
        }
        var principal = DashboardClaims.ForWall(token);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
