using System.Security.Cryptography;
using Dashboard.Hosting;

namespace Dashboard.VerneMq;

/// <summary>
/// The VerneMQ source's settings as it runs: <see cref="VerneMqOptions"/> (the <c>VerneMQ</c> section,
/// docs/vernemq.md, checked at start) with the webhook secret generated when none is set.
/// Reachability is not checked here: a node that is down at start is reported on the pages and retried
/// in the background.
/// </summary>
public sealed record VerneMqSettings
{
    private static readonly VerneMqOptions Defaults = new();

    /// <summary>The default of <see cref="MessageDetailsUpTo"/>.</summary>
    public const int DefaultMessageDetailsUpTo = VerneMqOptions.DefaultMessageDetailsUpTo;

    /// <summary>The HTTP listeners of the nodes to watch (<c>VerneMQ:Nodes:N:Url</c>).</summary>
    public required IReadOnlyList<Uri> NodeUrls { get; init; }

    /// <summary>An API key of scope mgmt, known to every node (<c>VerneMQ:ApiKey</c>); never logged.</summary>
    public required string ApiKey { get; init; }

    /// <summary>The dashboard's base address as the nodes reach it; null until the HTTP listener is bound.</summary>
    public Uri? CallbackUrl { get; init; }

    /// <summary>What every webhook call must carry (<c>VerneMQ:WebhookSecret</c>, generated per start when unset).</summary>
    public required string WebhookSecret { get; init; }

    /// <summary>How often the whole mirror is read again (<c>VerneMQ:ResyncInterval</c>).</summary>
    public TimeSpan ResyncInterval { get; init; } = Defaults.ResyncInterval;

    /// <summary>
    /// Up to how many queues a full read lists the queued messages (<c>VerneMQ:MessageDetailsUpTo</c>);
    /// above, they are counted only and read on demand. 0: never listed during syncs.
    /// </summary>
    public int MessageDetailsUpTo { get; init; } = DefaultMessageDetailsUpTo;

    /// <summary>
    /// How long another dashboard's webhook address must refuse connections, at every health check in a
    /// row, before its hooks are removed from the nodes (<c>VerneMQ:StaleHookAfter</c>, docs/vernemq.md).
    /// </summary>
    public TimeSpan StaleHookAfter { get; init; } = Defaults.StaleHookAfter;

    /// <summary>How often node health is checked and missing webhooks are registered again.</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The running settings from the checked options; a webhook secret is generated when none is set.</summary>
    public static VerneMqSettings From(VerneMqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new VerneMqSettings
        {
            NodeUrls = options.NodeUrls,
            ApiKey = options.ApiKey ?? throw new InvalidOperationException("VerneMQ:ApiKey is not set."),
            CallbackUrl = options.CallbackUrl,
            WebhookSecret = string.IsNullOrEmpty(options.WebhookSecret) ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) : options.WebhookSecret,
            ResyncInterval = options.ResyncInterval,
            MessageDetailsUpTo = options.MessageDetailsUpTo,
            StaleHookAfter = options.StaleHookAfter,
        };
    }

    /// <summary>Hides the key and the secret if a settings object is ever written out.</summary>
    public override string ToString() => $"VerneMqSettings {{ Nodes = {string.Join(", ", NodeUrls)}, CallbackUrl = {CallbackUrl}, ResyncInterval = {ResyncInterval}, MessageDetailsUpTo = {MessageDetailsUpTo}, StaleHookAfter = {StaleHookAfter} }}";
}
