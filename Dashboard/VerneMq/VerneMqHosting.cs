using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dashboard.Core.Actions;
using Dashboard.Hosting;
using Dashboard.Security;
using Microsoft.Extensions.Options;

namespace Dashboard.VerneMq;

/// <summary>
/// The VerneMQ source (<c>Source:Kind=VerneMQ</c>, docs/vernemq.md): the mirror, the node health, the
/// webhook endpoint and the actions through VerneMQ's API. The embedded broker does not start.
/// </summary>
internal static partial class VerneMqHosting
{
    // A hook body is a few hundred bytes; anything far larger is not VerneMQ.
    private const int MaxHookBody = 64 * 1024;

    public static WebApplicationBuilder AddVerneMqSource(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSettings<VerneMqOptions>();
        services.AddSingleton(provider => VerneMqSettings.From(provider.GetRequiredService<IOptions<VerneMqOptions>>().Value));
        services.AddSingleton<VerneMqNodes>();
        services.AddSingleton<IReadinessProbe, VerneMqReadiness>();
        services.AddHttpClient<VerneMqClient>(http => http.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<VerneMqSource>();
        services.AddHostedService(provider => provider.GetRequiredService<VerneMqSource>());
        // Only here: the embedded broker lists every queued message, so its pages never need one.
        services.AddSingleton<IQueuedMessageReader>(provider => provider.GetRequiredService<VerneMqSource>());
        services.AddAuditedSessionControl(provider => new VerneMqSessionControl(
            provider.GetRequiredService<VerneMqClient>(), provider.GetRequiredService<VerneMqSource>()));
        return builder;
    }

    public static WebApplication UseVerneMqSource(this WebApplication app)
    {
        // With port 0 the port is known only now; operators and the tests that start the app as a process
        // read it from this line (the embedded broker logs its own).
        app.Lifetime.ApplicationStarted.Register(() => LogListening(
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Dashboard.VerneMq"),
            app.Services.GetRequiredService<HttpEndpoint>().Url?.ToString().TrimEnd('/') ?? "(not bound)",
            string.Join(", ", app.Services.GetRequiredService<VerneMqSettings>().NodeUrls)));
        app.MapPost(VerneMqSource.WebhookPath + "/{node}", ReceiveHookAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard at {HttpUrl}, mirroring the VerneMQ nodes {Nodes}")]
    private static partial void LogListening(ILogger logger, string httpUrl, string nodes);

    private static async Task<IResult> ReceiveHookAsync(string node, HttpContext context, VerneMqSource source)
    {
        var presented = Encoding.UTF8.GetBytes(context.Request.Query["secret"].ToString());
        if (!CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(source.WebhookSecret)))
        {
            return Results.Text("This webhook needs the secret it was registered with.", statusCode: StatusCodes.Status401Unauthorized);
        }
        var hook = context.Request.Headers["vernemq-hook"].ToString();
        JsonElement body;
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                if (limited.Length + read > MaxHookBody)
                {
                    return Results.Text("The hook body is too large.", statusCode: StatusCodes.Status413PayloadTooLarge);
                }
                limited.Write(buffer, 0, read);
            }
            body = JsonDocument.Parse(limited.ToArray()).RootElement.Clone();
        }
        catch (JsonException)
        {
            return Results.Text("The hook body is not JSON.", statusCode: StatusCodes.Status400BadRequest);
        }
        bool applied;
        try
        {
            applied = source.ApplyHook(node, hook, body);
        }
        catch (InvalidOperationException)
        {
            // A body of an unexpected shape (a value where an object belongs): the caller's mistake, not a 500.
            applied = false;
        }
        if (!applied)
        {
            return Results.Text($"Not a hook this dashboard registered, or not a body it understands: \"{hook}\".", statusCode: StatusCodes.Status400BadRequest);
        }
        // VerneMQ waits for this answer with the client's session blocked: answer at once.
        return Results.Json(new { result = "ok" });
    }
}

/// <summary>Ready once a VerneMQ node is reachable and its sessions were read in full.</summary>
internal sealed class VerneMqReadiness(VerneMqNodes nodes) : IReadinessProbe
{
    public string? Problem() => nodes.Nodes.Any(node => node.Reachable && node.LastGoodRead is not null)
        ? null
        : "no VerneMQ node is reachable with its sessions read";
}
