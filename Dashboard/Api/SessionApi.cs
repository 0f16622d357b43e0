using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Dashboard.Core.Actions;
using Dashboard.Core.Output;
using Dashboard.Core.Query;
using Dashboard.Core.Store;
using Dashboard.Security;

namespace Dashboard.Api;

/// <summary>
/// VerneMQ's management API for sessions (the README's "VerneMQ-compatible HTTP API"; the commands'
/// language is docs/query-language.md): <c>/api/v1/session/show|disconnect|reauthorize</c>
/// and the alias <c>/api/v1/sessions/...</c>, arguments in the query string exactly as VerneMQ maps them.
/// <c>/api/v2/</c> takes the same requests and answers actions with what they did (found, removed, added).
/// </summary>
internal static class SessionApi
{
    private const string ShowDescription =
        "The flags of vmq-admin session show as query parameters: ?--client_id&--topic=~%5Esensors%2F&--limit=1000. " +
        "`+` decodes to a space, so send %2B, %23 and %26 for +, # and &. --format=json (default), csv or human (the vmq-admin text table).";

    private const string DisconnectDescription =
        "?client-id=X[&--mountpoint=M][&--cleanup]. Closes the client's connection (MQTT 5: reason 0x98); --cleanup also deletes its session.";

    private const string ReauthorizeDescription =
        "?username=U&client-id=X[&--mountpoint=M]. Re-checks the client's subscriptions against the ACL rules as user U; refused ones are removed.";

    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IServiceCollection AddSessionApi(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeys>();
        // The one way an API key signs in: the API's policies (Policies.ApiRead, ApiMgmt), /metrics and the hub.
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddOpenApi();
        return services;
    }

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Post];
        foreach (var version in new[] { 1, 2 })
        {
            // Every endpoint needs an API key (either scope; actions add the mgmt policy), and refusals answer
            // with VerneMQ's alert object (ApiKeyAuthentication).
            var group = app.MapGroup($"/api/v{version}").WithTags($"VerneMQ-compatible API v{version}")
                .RequireAuthorization(Policies.ApiRead).WithMetadata(new VerneMqRefusals());
            foreach (var noun in new[] { "session", "sessions" })
            {
                // The alias answers the same; describing it once keeps the OpenAPI document readable.
                var alias = noun == "sessions";
                Describe(group.MapMethods($"/{noun}/show", methods, Handler(version, SessionCommand.Show)),
                    $"v{version}-{noun}-show", "List sessions (vmq-admin session show)", ShowDescription, alias);
                Describe(Mgmt(group.MapMethods($"/{noun}/disconnect", methods, Handler(version, SessionCommand.Disconnect)), "disconnect"),
                    $"v{version}-{noun}-disconnect", "Disconnect a client (vmq-admin session disconnect)", DisconnectDescription, alias);
                Describe(Mgmt(group.MapMethods($"/{noun}/reauthorize", methods, Handler(version, SessionCommand.Reauthorize)), "reauthorize"),
                    $"v{version}-{noun}-reauthorize", "Re-check a client's subscriptions (vmq-admin session reauthorize)", ReauthorizeDescription, alias);
            }
            // Anything else under the API is an unknown command: 400 with an alert, as VerneMQ answers.
            group.Map("/{**rest}", (string? rest) => Unknown(rest)).ExcludeFromDescription();
        }
        // The description of the API holds no session data; scripts fetch it without a key.
        app.MapOpenApi().AllowAnonymous();
        return app;
    }

    // An action needs a key of the mgmt scope; a read key is told so (403) before anything is parsed.
    private static RouteHandlerBuilder Mgmt(RouteHandlerBuilder endpoint, string command) => endpoint
        .RequireAuthorization(Policies.ApiMgmt)
        .WithMetadata(new VerneMqRefusals($"This API key has the read scope: session {command} needs a key with the mgmt scope"));

    // A Delegate, not a RequestDelegate, so the minimal-API machinery writes the returned IResult.
    private static Delegate Handler(int version, SessionCommand command) =>
        (HttpContext context) => RunAsync(context, version, command);

    private static void Describe(RouteHandlerBuilder endpoint, string name, string summary, string description, bool alias)
    {
        endpoint.WithName(name).WithSummary(summary).WithDescription(description)
            .Produces(StatusCodes.Status200OK, contentType: "application/json", additionalContentTypes: ["text/csv", "text/plain"])
            .Produces(StatusCodes.Status400BadRequest, contentType: "application/json")
            .Produces(StatusCodes.Status401Unauthorized, contentType: "application/json")
            .Produces(StatusCodes.Status403Forbidden, contentType: "application/json");
        if (alias)
        {
            endpoint.ExcludeFromDescription();
        }
    }

    private static IResult Unknown(string? rest) =>
        Alert(StatusCodes.Status400BadRequest, $"Unknown command \"{(rest ?? "").Replace('/', ' ')}\": session show, session disconnect or session reauthorize");

    // The key was checked by its policy; the audited session control names its principal as the actor.
    private static async Task<IResult> RunAsync(HttpContext context, int version, SessionCommand command)
    {
        // Raw parts stay beside their decoded words so show can hand the parser the query string
        // itself, minus --format, without encoding anything again.
        var parts = (context.Request.QueryString.Value ?? "").TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(raw => (Raw: raw, Word: QueryParser.SplitQueryString(raw).FirstOrDefault() ?? ""))
            .ToList();
        var format = TakeFormat(parts);
        if (!format.IsSuccess)
        {
            return Alert(StatusCodes.Status400BadRequest, format.Error!);
        }
        var words = parts.Select(p => p.Word).ToList();

        // Resolved by the actions only: show reads the store and nothing else, so it answers even while
        // the security database cannot be read (docs/reliability.md).
        ISessionControl Control() => context.RequestServices.GetRequiredService<ISessionControl>();
        var cancel = context.RequestAborted;
        switch (command)
        {
            case SessionCommand.Show:
                var query = QueryParser.ParseQueryString(string.Join('&', parts.Select(p => p.Raw)));
                if (!query.IsSuccess)
                {
                    return Alert(StatusCodes.Status400BadRequest, query.Error!);
                }
                var result = QueryEngine.Run(query.Value, context.RequestServices.GetRequiredService<SessionStore>());
                if (!result.IsSuccess)
                {
                    return Alert(StatusCodes.Status400BadRequest, result.Error!);
                }
                return ShowOutput.Render(result.Value, format.Value);
            case SessionCommand.Disconnect:
                var disconnect = ActionArguments.ParseDisconnect(words);
                if (!disconnect.IsSuccess)
                {
                    return Alert(StatusCodes.Status400BadRequest, disconnect.Error!);
                }
                DisconnectResult disconnected;
                try
                {
                    disconnected = await Control().DisconnectAsync(disconnect.Value, cancel);
                }
                catch (ActionFailedException failed)
                {
                    return Alert(StatusCodes.Status502BadGateway, failed.Message);
                }
                catch (SecurityDatabaseException unavailable)
                {
                    return Alert(StatusCodes.Status503ServiceUnavailable, unavailable.Message);
                }
                return version == 1
                    ? Text(format.Value, DisconnectResult.VerneMqText)
                    : Results.Json(new
                    {
                        text = DisconnectResult.VerneMqText,
                        client_id = disconnected.ClientId,
                        found = disconnected.Found,
                        was_online = disconnected.WasOnline,
                        cleaned_up = disconnected.CleanedUp,
                        message = disconnected.Message,
                    }, SnakeCase);
            default:
                var reauthorize = ActionArguments.ParseReauthorize(words);
                if (!reauthorize.IsSuccess)
                {
                    return Alert(StatusCodes.Status400BadRequest, reauthorize.Error!);
                }
                ReauthorizeResult reauthorized;
                try
                {
                    reauthorized = await Control().ReauthorizeAsync(reauthorize.Value, cancel);
                }
                catch (ActionFailedException failed)
                {
                    return Alert(StatusCodes.Status502BadGateway, failed.Message);
                }
                catch (SecurityDatabaseException unavailable)
                {
                    return Alert(StatusCodes.Status503ServiceUnavailable, unavailable.Message);
                }
                return version == 1
                    ? Text(format.Value, reauthorized.VerneMqText)
                    : Results.Json(new
                    {
                        text = reauthorized.VerneMqText,
                        client_id = reauthorized.ClientId,
                        found = reauthorized.Found,
                        removed = reauthorized.Removed,
                        added = reauthorized.Added.Select(a => new { topic = a.Topic, qos = a.Qos }),
                        message = reauthorized.Message,
                    }, SnakeCase);
        }
    }

    /// <summary>
    /// Takes clique's global <c>--format=json|csv|human</c> flag (VerneMQ's command line has it too) out
    /// of the words; the command's own grammar never sees it.
    /// </summary>
    private static Result<string> TakeFormat(List<(string Raw, string Word)> parts)
    {
        var format = "json";
        for (var i = parts.Count - 1; i >= 0; i--)
        {
            var word = parts[i].Word;
            if (word != "--format" && !word.StartsWith("--format=", StringComparison.Ordinal))
            {
                continue;
            }
            var value = word.Length > "--format=".Length ? word["--format=".Length..] : "";
            if (value is not ("json" or "csv" or "human"))
            {
                return Result<string>.Fail($"Invalid value for --format: \"{value}\" (json, csv or human)");
            }
            format = value;
            parts.RemoveAt(i);
        }
        return Result<string>.Ok(format);
    }

    private static IResult Text(string format, string text) => format == "json"
        ? Results.Text(JsonOutput.Text(text), "application/json")
        : Results.Text(text + "\n", "text/plain; charset=utf-8");

    private static IResult Alert(int status, string message) =>
        Results.Text(JsonOutput.Alert(message), "application/json", statusCode: status);
}
