using System.Globalization;
using System.Security.Cryptography;

namespace Dashboard.VerneMq;

/// <summary>
/// The <c>VerneMQ</c> section (docs/vernemq.md). Read once at start; a missing or unusable value stops
/// the start with one line naming the key. Reachability is not checked here: a node that is down at
/// start is reported on the pages and retried in the background.
/// </summary>
public sealed record VerneMqSettings
{
    public static readonly TimeSpan DefaultResyncInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The default of <see cref="StaleHookAfter"/>: six health checks in a row. A process restarting takes a
    /// few seconds, so an address refusing for this long is not a blip; and a wrong removal heals itself,
    /// since a live owner registers its missing hooks again at its next check (5 s).
    /// </summary>
    public static readonly TimeSpan DefaultStaleHookAfter = TimeSpan.FromSeconds(30);

    /// <summary>The default of <see cref="MessageDetailsUpTo"/> (BENCHMARKS.md: listing messages at 10,000 queues takes VerneMQ 5 s).</summary>
    public const int DefaultMessageDetailsUpTo = 2_000;

    /// <summary>The HTTP listeners of the nodes to watch (<c>VerneMQ:Nodes:N:Url</c>).</summary>
    public required IReadOnlyList<Uri> NodeUrls { get; init; }

    /// <summary>An API key of scope mgmt, known to every node (<c>VerneMQ:ApiKey</c>); never logged.</summary>
    public required string ApiKey { get; init; }

    /// <summary>The dashboard's base address as the nodes reach it; null until the HTTP listener is bound.</summary>
    public Uri? CallbackUrl { get; init; }

    /// <summary>What every webhook call must carry (<c>VerneMQ:WebhookSecret</c>, generated per start when unset).</summary>
    public required string WebhookSecret { get; init; }

    /// <summary>How often the whole mirror is read again (<c>VerneMQ:ResyncInterval</c>).</summary>
    public TimeSpan ResyncInterval { get; init; } = DefaultResyncInterval;

    /// <summary>
    /// Up to how many queues a full read lists the queued messages (<c>VerneMQ:MessageDetailsUpTo</c>);
    /// above, they are counted only and read on demand. 0: never listed during syncs.
    /// </summary>
    public int MessageDetailsUpTo { get; init; } = DefaultMessageDetailsUpTo;

    /// <summary>
    /// How long another dashboard's webhook address must refuse connections, at every health check in a
    /// row, before its hooks are removed from the nodes (<c>VerneMQ:StaleHookAfter</c>, docs/vernemq.md).
    /// </summary>
    public TimeSpan StaleHookAfter { get; init; } = DefaultStaleHookAfter;

    /// <summary>How often node health is checked and missing webhooks are registered again.</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(5);

    public static VerneMqSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("VerneMQ");
        var urls = new List<Uri>();
        foreach (var node in section.GetSection("Nodes").GetChildren())
        {
            var text = node["Url"];
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException($"VerneMQ:Nodes:{node.Key}:Url \"{text}\" is not an http:// or https:// address (for example http://127.0.0.1:8888).");
            }
            urls.Add(url);
        }
        if (urls.Count == 0)
        {
            throw new InvalidOperationException("Source:Kind is VerneMQ but no VerneMQ:Nodes:0:Url is set (the HTTP listener of a VerneMQ node, for example http://127.0.0.1:8888).");
        }
        var apiKey = section["ApiKey"];
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            throw new InvalidOperationException("Source:Kind is VerneMQ but VerneMQ:ApiKey is not set (an API key of scope mgmt: vmq-admin api-key create).");
        }
        Uri? callback = null;
        if (section["CallbackUrl"] is { Length: > 0 } callbackText
            && (!Uri.TryCreate(callbackText.Trim(), UriKind.Absolute, out callback) || callback.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"VerneMQ:CallbackUrl \"{callbackText}\" is not an http:// or https:// address (the dashboard as the VerneMQ nodes reach it, for example http://10.0.0.5:8888).");
        }
        var secret = section["WebhookSecret"];
        if (secret is { Length: > 0 and < 16 })
        {
            throw new InvalidOperationException("VerneMQ:WebhookSecret is shorter than 16 characters; leave it unset to have one generated.");
        }
        var resync = section.GetValue("ResyncInterval", DefaultResyncInterval);
        if (resync < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException($"VerneMQ:ResyncInterval \"{resync}\" is below one second (for example 00:00:30).");
        }
        var staleHookAfter = section.GetValue("StaleHookAfter", DefaultStaleHookAfter);
        if (staleHookAfter < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException($"VerneMQ:StaleHookAfter \"{staleHookAfter}\" is below one second (default {DefaultStaleHookAfter}).");
        }
        var detailsUpTo = DefaultMessageDetailsUpTo;
        // NumberStyles.None: no sign, no decimals, so a negative count is refused with the rest.
        if (section["MessageDetailsUpTo"] is { } detailsText && !string.IsNullOrWhiteSpace(detailsText)
            && !int.TryParse(detailsText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out detailsUpTo))
        {
            throw new InvalidOperationException($"VerneMQ:MessageDetailsUpTo \"{detailsText}\" is not a whole number of queues, 0 or more (default {DefaultMessageDetailsUpTo}; 0: never list queued messages during syncs).");
        }
        return new VerneMqSettings
        {
            NodeUrls = urls,
            ApiKey = apiKey.Trim(),
            CallbackUrl = callback,
            WebhookSecret = string.IsNullOrEmpty(secret) ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) : secret,
            ResyncInterval = resync,
            MessageDetailsUpTo = detailsUpTo,
            StaleHookAfter = staleHookAfter,
        };
    }

    /// <summary>Hides the key and the secret if a settings object is ever written out.</summary>
    public override string ToString() => $"VerneMqSettings {{ Nodes = {string.Join(", ", NodeUrls)}, CallbackUrl = {CallbackUrl}, ResyncInterval = {ResyncInterval}, MessageDetailsUpTo = {MessageDetailsUpTo}, StaleHookAfter = {StaleHookAfter} }}";
}
