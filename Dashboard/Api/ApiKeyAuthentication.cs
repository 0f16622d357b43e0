using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Dashboard.Core.Output;
using Dashboard.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Dashboard.Api;

/// <summary>
/// Endpoint metadata: this endpoint answers a refused key as VerneMQ's API does, with an alert object, and
/// with <paramref name="ScopeTooSmall"/> when the key's scope is not enough (a read key on an action).
/// </summary>
internal sealed record VerneMqRefusals(string? ScopeTooSmall = null);

/// <summary>
/// The one scheme by which API keys sign in, for the API (<see cref="Policies.ApiRead"/>,
/// <see cref="Policies.ApiMgmt"/>), <c>/metrics</c> and the live feed's hub. The key comes as VerneMQ takes
/// it (<c>x-api-key</c>, Basic user name) or, because browsers cannot set headers on a WebSocket, as
/// SignalR's <c>access_token</c> query parameter. The principal's name is the key's audit actor, so
/// whatever the request does is attributed to the key (docs/security.md, "Who is who").
/// </summary>
internal sealed partial class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys, SecurityDatabase database)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    // Why a stored key could not be looked up in this request (the database cannot be read), or null.
    private string? _unreadable;

    public const string SchemeName = "ApiKey";

    /// <summary>The claim holding the key's scope: <c>read</c> or <c>mgmt</c>.</summary>
    public const string ScopeClaim = "api_scope";

    /// <summary>The claim holding a stored key's id; configured keys have none.</summary>
    public const string StoredKeyIdClaim = "api_key_id";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        ApiCaller? caller;
        try
        {
            caller = keys.Authorize(Request);
            if (caller is null && Request.Query["access_token"] is [{ Length: > 0 } token])
            {
                caller = keys.Authorize(token);
            }
        }
        catch (Exception exception) when (database.ReadProblem(exception) is { } problem)
        {
            // Configured keys are checked first and need no database; a stored one cannot be told from a
            // wrong key now: refused with 503 and the reason (docs/reliability.md), never a 500.
            _unreadable = problem + ", so stored API keys cannot be checked; keys from the configuration still work.";
            LogUnreadable(Logger, exception.Message);
            return Task.FromResult(AuthenticateResult.Fail(_unreadable));
        }
        if (caller is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal(caller), SchemeName)));
    }

    /// <summary>
    /// The principal a key signs in as: its audit actor as the name (so whatever the request does is
    /// attributed to the key), its scope, and a stored key's id.
    /// </summary>
    public static ClaimsPrincipal Principal(ApiCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, caller.Actor), new Claim(ScopeClaim, ApiKeyStore.ScopeText(caller.Scope))], SchemeName);
        if (caller.StoredId is { } id)
        {
            // So a long-lived connection (the hub) or an action can be checked again after the key is revoked.
            identity.AddClaim(new Claim(StoredKeyIdClaim, id.ToString(CultureInfo.InvariantCulture)));
        }
        return new ClaimsPrincipal(identity);
    }

    // A body of its own, so the status-code pages do not turn the 401 into the HTML "not found" page;
    // the API's is VerneMQ's alert object, which its clients parse.
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_unreadable is not null)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers[HeaderNames.RetryAfter] = "5";
            return Refusals is not null ? WriteAlertAsync(_unreadable) : WriteTextAsync(_unreadable);
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Basic realm=\"dashboard\"";
        return Refusals is not null
            ? WriteAlertAsync($"An API key is required: send it as the Basic-auth user name or in an {ApiKeys.HeaderName} header")
            : WriteTextAsync("An API key is required: send it in the x-api-key header, as the Basic user name, or as ?access_token=.");
    }

    // A valid key that the policy refuses: its scope is too small (the only claim the API policies ask for).
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Refusals?.ScopeTooSmall is { } sentence
            ? WriteAlertAsync(sentence)
            : WriteTextAsync("This API key's scope does not allow this request.");
    }

    private VerneMqRefusals? Refusals => Context.GetEndpoint()?.Metadata.GetMetadata<VerneMqRefusals>();

    private Task WriteAlertAsync(string message)
    {
        Response.ContentType = "application/json";
        return Response.WriteAsync(JsonOutput.Alert(message), Context.RequestAborted);
    }

    private Task WriteTextAsync(string message)
    {
        Response.ContentType = "text/plain; charset=utf-8";
        return Response.WriteAsync(message, Context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A stored API key could not be checked: the security database cannot be read ({Reason})")]
    private static partial void LogUnreadable(ILogger logger, string reason);
}
