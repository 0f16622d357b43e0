using System.Globalization;
using System.Text.Json;
using Dashboard.Core.Blocks;
using Dashboard.Core.Output;
using Dashboard.Core.Query;
using Dashboard.Security;

namespace Dashboard.Api;

/// <summary>
/// Client blocks over HTTP, with an API key of the mgmt scope (<see cref="Policies.ApiMgmt"/>): <c>GET /api/v1/blocks</c> lists them,
/// <c>POST /api/v1/blocks</c> adds one (a JSON object) and <c>DELETE /api/v1/blocks/{id}</c> removes one.
/// Errors answer as the session API does (VerneMQ's alert object). With a VerneMQ source every call
/// answers 501 with the reason (<see cref="ClientBlocking.UnavailableReason"/>).
/// </summary>
internal static class BlockApi
{
    /// <summary>A block request is a few short strings; anything larger is refused unread.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    private const string AddDescription =
        "JSON body: {\"kind\": \"client_id\" | \"client_id_pattern\" | \"user\" | \"peer_address\", \"pattern\": \"...\", " +
        "\"reason\": \"...\", \"expires_in\": \"30s\" | \"15m\" | \"1h\" | \"7d\" (optional) or \"expires\": ISO 8601 time (optional)}. " +
        "Connected clients that match are disconnected. 201 with the block and the clients disconnected.";

    public static IEndpointRouteBuilder MapBlockApi(this IEndpointRouteBuilder app)
    {
        // Every call needs a key of the mgmt scope, listing too: blocks name users and addresses.
        var group = app.MapGroup("/api/v1/blocks").WithTags("Client blocks")
            .RequireAuthorization(Policies.ApiMgmt)
            .WithMetadata(new VerneMqRefusals("This API key has the read scope: blocks need a key with the mgmt scope"));
        Describe(group.MapGet("", (Delegate)ListAsync).WithName("v1-blocks-list").WithSummary("List client blocks, expired ones included"));
        Describe(group.MapPost("", (Delegate)AddAsync).WithName("v1-blocks-add").WithSummary("Block clients").WithDescription(AddDescription)
            .Produces(StatusCodes.Status201Created, contentType: "application/json"));
        Describe(group.MapDelete("/{id}", (Delegate)RemoveAsync).WithName("v1-blocks-remove").WithSummary("Remove a client block")
            .Produces(StatusCodes.Status404NotFound, contentType: "application/json"));
        return app;
    }

    private static void Describe(RouteHandlerBuilder endpoint) => endpoint
        .Produces(StatusCodes.Status200OK, contentType: "application/json")
        .Produces(StatusCodes.Status400BadRequest, contentType: "application/json")
        .Produces(StatusCodes.Status401Unauthorized, contentType: "application/json")
        .Produces(StatusCodes.Status403Forbidden, contentType: "application/json")
        .Produces(StatusCodes.Status501NotImplemented, contentType: "application/json");

    private static Task<IResult> ListAsync(HttpContext context)
    {
        if (NotOffered(context, out var blocking) is { } refused)
        {
            return Task.FromResult(refused);
        }
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        return Task.FromResult(Results.Json(new { blocks = blocking!.List().Select(b => Json(b, now)) }));
    }

    private static async Task<IResult> AddAsync(HttpContext context)
    {
        if (NotOffered(context, out var blocking) is { } refused)
        {
            return refused;
        }
        var body = await ReadBodyAsync(context);
        if (!body.IsSuccess)
        {
            return Alert(StatusCodes.Status400BadRequest, body.Error!);
        }
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        using var document = body.Value;
        var root = document.RootElement;
        var kind = Text(root, "kind");
        var pattern = Text(root, "pattern");
        var reason = Text(root, "reason");
        var expiresIn = Text(root, "expires_in");
        var expiresAt = Text(root, "expires");
        foreach (var field in new[] { kind, pattern, reason, expiresIn, expiresAt })
        {
            if (!field.IsSuccess)
            {
                return Alert(StatusCodes.Status400BadRequest, field.Error!);
            }
        }
        var expires = Expiry(expiresIn.Value, expiresAt.Value, now);
        if (!expires.IsSuccess)
        {
            return Alert(StatusCodes.Status400BadRequest, expires.Error!);
        }
        var added = await blocking!.AddAsync(kind.Value, pattern.Value, reason.Value, expires.Value, context.RequestAborted);
        if (!added.IsSuccess)
        {
            return Alert(Unavailable(context) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status400BadRequest, added.Error!);
        }
        return Results.Json(new
        {
            block = Json(added.Value.Block, now),
            disconnected = added.Value.Disconnected,
            message = added.Value.Message,
        }, statusCode: StatusCodes.Status201Created);
    }

    // A refusal by the database (read-only, locked) is the server's trouble, not the request's.
    private static bool Unavailable(HttpContext context) =>
        context.RequestServices.GetRequiredService<SecurityDatabase>().WriteProblem() is not null;

    private static async Task<IResult> RemoveAsync(HttpContext context, string id)
    {
        if (NotOffered(context, out var blocking) is { } refused)
        {
            return refused;
        }
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return Alert(StatusCodes.Status400BadRequest, $"\"{(id.Length > 40 ? id[..40] + "…" : id)}\" is not a block id: block ids are whole numbers (GET /api/v1/blocks lists them)");
        }
        var removed = await blocking!.RemoveAsync(number);
        if (!removed.IsSuccess)
        {
            return Alert(Unavailable(context) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status404NotFound, removed.Error!);
        }
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        return Results.Json(new
        {
            removed = Json(removed.Value, now),
            message = $"Removed the block of the {removed.Value.Kind.Label()} {removed.Value.Pattern}",
        });
    }

    // Whether this source can block at all (the key was checked by the group's policy, and changes and the
    // disconnects they cause are audited under its principal's name); null when the call may go on.
    private static IResult? NotOffered(HttpContext context, out ClientBlocking? blocking)
    {
        blocking = context.RequestServices.GetService<ClientBlocking>();
        return blocking is null ? Alert(StatusCodes.Status501NotImplemented, ClientBlocking.UnavailableReason) : null;
    }

    private static async Task<Result<JsonDocument>> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return Result<JsonDocument>.Fail($"The request body is over {MaxBodyBytes / 1024} KB; a block request is a small JSON object");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                return Result<JsonDocument>.Fail($"The request body is over {MaxBodyBytes / 1024} KB; a block request is a small JSON object");
            }
        }
        if (buffer.Length == 0)
        {
            return Result<JsonDocument>.Fail("Send the block as a JSON object: {\"kind\": \"client_id\", \"pattern\": \"...\", \"reason\": \"...\"}");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException exception)
        {
            return Result<JsonDocument>.Fail("The request body is not valid JSON: " + exception.Message);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return Result<JsonDocument>.Fail("Send the block as a JSON object: {\"kind\": \"client_id\", \"pattern\": \"...\", \"reason\": \"...\"}");
        }
        return Result<JsonDocument>.Ok(document);
    }

    private static Result<string?> Text(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null
            ? Result<string?>.Ok(null)
            : value.ValueKind == JsonValueKind.String
                ? Result<string?>.Ok(value.GetString())
                : Result<string?>.Fail($"\"{name}\" must be a string");

    private static Result<DateTimeOffset?> Expiry(string? expiresIn, string? expiresAt, DateTimeOffset now)
    {
        if (expiresIn is not null && expiresAt is not null)
        {
            return Result<DateTimeOffset?>.Fail("Give \"expires_in\" or \"expires\", not both");
        }
        if (expiresAt is not null)
        {
            return DateTimeOffset.TryParse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? Result<DateTimeOffset?>.Ok(at)
                : Result<DateTimeOffset?>.Fail($"\"expires\" is not a time: \"{(expiresAt.Length > 40 ? expiresAt[..40] + "…" : expiresAt)}\" (ISO 8601, e.g. 2030-01-31T12:00:00Z)");
        }
        var duration = BlockRules.ParseDuration(expiresIn);
        return duration.IsSuccess
            ? Result<DateTimeOffset?>.Ok(duration.Value is { } after ? now + after : null)
            : Result<DateTimeOffset?>.Fail(duration.Error!);
    }

    private static object Json(ClientBlock block, DateTimeOffset now) => new
    {
        id = block.Id,
        kind = block.Kind.Name(),
        pattern = block.Pattern,
        reason = block.Reason,
        expires = block.Expires?.UtcDateTime,
        active = block.IsActive(now),
        created = block.Created.UtcDateTime,
        created_by = block.CreatedBy,
    };

    private static IResult Alert(int status, string message) =>
        Results.Text(JsonOutput.Alert(message), "application/json", statusCode: status);
}
