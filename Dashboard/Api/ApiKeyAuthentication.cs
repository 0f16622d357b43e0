using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Dashboard.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Dashboard.Api;

/// <summary>
/// Signs a request in by its API key, for endpoints that use ASP.NET Core authorization (the SignalR hub).
/// The key comes as the API takes it (<c>x-api-key</c>, Basic user name) or, because browsers cannot set
/// headers on a WebSocket, as SignalR's <c>access_token</c> query parameter.
/// </summary>
internal sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The claim holding the key's scope: <c>read</c> or <c>mgmt</c>.</summary>
    public const string ScopeClaim = "api_scope";

    /// <summary>The claim holding a stored key's id; configured keys have none.</summary>
    public const string StoredKeyIdClaim = "api_key_id";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var caller = keys.Authorize(Request);
        if (caller is null && Request.Query["access_token"] is [{ Length: > 0 } token])
        {
            caller = keys.Authorize(token);
        }
        if (caller is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        // The name is the audit log's actor for the key, so whatever this request does is attributed to it.
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, caller.Actor), new Claim(ScopeClaim, ApiKeyStore.ScopeText(caller.Scope))], SchemeName);
        if (caller.StoredId is { } id)
        {
            // So a long-lived connection (the hub) can be checked again after the key is revoked.
            identity.AddClaim(new Claim(StoredKeyIdClaim, id.ToString(CultureInfo.InvariantCulture)));
        }
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    // A body of its own, so the status-code pages do not turn the 401 into the HTML "not found" page.
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Basic realm=\"dashboard\"";
        Response.ContentType = "text/plain; charset=utf-8";
        await Response.WriteAsync(
            "An API key is required: send it in the x-api-key header, as the Basic user name, or as ?access_token=.",
            Context.RequestAborted);
    }
}
