using System.Globalization;
using System.Net;
using Dashboard.Core.Broker;
using Dashboard.Core.Live;
using Dashboard.Core.Sessions;
using Dashboard.Security;
using IPNetwork = System.Net.IPNetwork;

namespace Dashboard.Hosting;

// Every setting of the dashboard, one options class per section: the key, its default (the property's
// initial value, or the constant of the Core type it feeds) and what it allows (Read). README's
// configuration table documents the same keys and defaults; Dashboard.Tests/Hosting/DashboardOptionsTests
// writes the defaults down again.

/// <summary><c>Source:Kind</c>: where sessions come from.</summary>
public sealed class SourceOptions : SettingsSection
{
    /// <summary><c>Source:Kind</c>: <c>Embedded</c> (default) or <c>VerneMQ</c>.</summary>
    public SourceKind Kind { get; set; } = SourceKind.Embedded;

    internal override void Read(SettingsReader read) =>
        Kind = read.Choice("Source:Kind", Kind, "a source: Embedded (default) or VerneMQ");
}

public enum SourceKind
{
    /// <summary>The built-in MQTT broker.</summary>
    Embedded,

    /// <summary>Mirror a VerneMQ cluster; the broker does not start (docs/vernemq.md).</summary>
    VerneMQ,
}

/// <summary><c>Http:*</c>: the dashboard's listener, its HTTPS certificate and a reverse proxy in front of it.</summary>
public sealed class HttpOptions : SettingsSection
{
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    public int Port { get; set; } = 8888;

    /// <summary><c>Http:Certificate</c>: a PEM (key inside or in <see cref="CertificateKey"/>) or PFX file; set, the dashboard serves HTTPS and HSTS.</summary>
    public string? Certificate { get; set; }

    public string? CertificateKey { get; set; }

    /// <summary>For an encrypted key or PFX; never shown.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary><c>Http:KnownProxies</c>: addresses or CIDR ranges whose <c>X-Forwarded-*</c> headers are believed; none by default.</summary>
    public IReadOnlyList<IPNetwork> KnownProxies { get; set; } = [];

    /// <summary><c>Http:BasePath</c>: the path a proxy serves the dashboard under (<c>/dashboard</c>); none by default.</summary>
    public PathString BasePath { get; set; } = PathString.Empty;

    internal override void Read(SettingsReader read)
    {
        Address = read.Address("Http:Address", Address);
        Port = read.Port("Http:Port", Port);
        Certificate = read.Text("Http:Certificate", Certificate);
        CertificateKey = read.Text("Http:CertificateKey", CertificateKey);
        CertificatePassword = read.Raw("Http:CertificatePassword") ?? CertificatePassword;
        KnownProxies = ReadProxies(read);
        BasePath = ReadBasePath(read);
    }

    internal override IEnumerable<string> Check() => CertificateProblems("Http", Certificate, CertificateKey);

    /// <summary>A certificate key alone is a mistake, not "no HTTPS".</summary>
    internal static IEnumerable<string> CertificateProblems(string section, string? certificate, string? key) =>
        certificate is null && key is not null
            ? [$"{section}:CertificateKey is set but {section}:Certificate is not: set the certificate file too."]
            : [];

    private IReadOnlyList<IPNetwork> ReadProxies(SettingsReader read)
    {
        const string key = "Http:KnownProxies";
        var values = read.List(key);
        if (values.Count == 0)
        {
            return KnownProxies;
        }
        var proxies = new List<IPNetwork>();
        foreach (var value in values)
        {
            if (IPNetwork.TryParse(value, out var network))
            {
                proxies.Add(network);
            }
            else if (IPAddress.TryParse(value, out var address))
            {
                proxies.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                read.Problem($"{key} \"{value}\" is not an IP address or a CIDR range (for example 10.0.0.5 or 10.0.0.0/24).");
            }
        }
        return proxies;
    }

    private PathString ReadBasePath(SettingsReader read)
    {
        const string key = "Http:BasePath";
        var text = read.Raw(key);
        var trimmed = (text ?? "").Trim().TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return BasePath;
        }
        // Only plain path segments: the value goes into <base href> and every redirect the app makes.
        if (trimmed[0] != '/' || trimmed.Contains("//", StringComparison.Ordinal)
            || trimmed.Any(c => c is '?' or '#' or '%' or '\\' || char.IsWhiteSpace(c) || char.IsControl(c))
            || trimmed.Split('/').Any(segment => segment is "." or ".."))
        {
            read.Problem($"{key} \"{text}\" is not a path the dashboard can be served under (for example /dashboard).");
            return BasePath;
        }
        return new PathString(trimmed);
    }
}

/// <summary><c>Mqtt:*</c>: the embedded broker's listeners (docs/deploying.md).</summary>
public sealed class MqttOptions : SettingsSection
{
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    public int Port { get; set; } = 1883;

    /// <summary><c>Mqtt:Plain</c>: false, MQTT over TLS only (needs <c>Mqtt:Tls:Certificate</c>).</summary>
    public bool Plain { get; set; } = true;

    /// <summary>
    /// <c>Mqtt:AllowedOrigins</c>: web origins besides the dashboard's own whose pages may open MQTT over
    /// WebSocket; <c>*</c> for any. Compared without case and without a trailing slash.
    /// </summary>
    public IReadOnlySet<string> AllowedOrigins { get; set; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Mqtt:Tls:*</c>.</summary>
    public MqttTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// <c>Mqtt:MaxSegmentSize</c>: the largest TCP segment the MQTT listeners send and announce (Linux);
    /// 0 leaves it to the system. docs/broker.md, "Small receive windows".
    /// </summary>
    public int MaxSegmentSize { get; set; } = 1460;

    internal override void Read(SettingsReader read)
    {
        Address = read.Address("Mqtt:Address", Address);
        Port = read.Port("Mqtt:Port", Port);
        Plain = read.Boolean("Mqtt:Plain", Plain);
        MaxSegmentSize = read.Integer("Mqtt:MaxSegmentSize", MaxSegmentSize, 0, 65_495);
        if (read.List("Mqtt:AllowedOrigins") is { Count: > 0 } origins)
        {
            AllowedOrigins = new HashSet<string>(origins.Select(origin => origin.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        }
        Tls.Read(read);
    }

    internal override IEnumerable<string> Check()
    {
        if (MaxSegmentSize is > 0 and < 536)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"Mqtt:MaxSegmentSize \"{MaxSegmentSize}\" is below 536, the smallest segment every TCP peer takes (0 leaves it to the system).");
        }
        if (!Plain && Tls.Certificate is null)
        {
            yield return "Mqtt:Plain \"false\" needs Mqtt:Tls:Certificate: without MQTT over TLS the broker would have no listener.";
        }
        foreach (var problem in HttpOptions.CertificateProblems("Mqtt:Tls", Tls.Certificate, Tls.CertificateKey))
        {
            yield return problem;
        }
        if (Tls.ClientCertificates != ClientCertificates.None && Tls.CaFile is null)
        {
            yield return $"Mqtt:Tls:ClientCertificates is {Tls.ClientCertificates.ToString().ToLowerInvariant()} but Mqtt:Tls:CaFile is not set (the PEM file of the CA that signs client certificates).";
        }
        if (Tls.UseIdentityAsUsername && Tls.ClientCertificates == ClientCertificates.None)
        {
            yield return "Mqtt:Tls:UseIdentityAsUsername is true but Mqtt:Tls:ClientCertificates is none: set it to optional or required.";
        }
    }
}

/// <summary>
/// <c>Mqtt:Tls:*</c>: MQTT over TLS on <c>Mqtt:Address</c>, beside plain MQTT, when <see cref="Certificate"/>
/// is set. The certificate and CA files are read when the listener starts.
/// </summary>
public sealed class MqttTlsOptions
{
    public int Port { get; set; } = 8883;

    public string? Certificate { get; set; }

    public string? CertificateKey { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary><c>Mqtt:Tls:ClientCertificates</c>: <c>none</c>, <c>optional</c> or <c>required</c>; those given must chain to <see cref="CaFile"/>.</summary>
    public ClientCertificates ClientCertificates { get; set; } = ClientCertificates.None;

    public string? CaFile { get; set; }

    /// <summary>A client certificate's common name becomes the user name (VerneMQ's <c>use_identity_as_username</c>).</summary>
    public bool UseIdentityAsUsername { get; set; }

    internal void Read(SettingsReader read)
    {
        Port = read.Port("Mqtt:Tls:Port", Port);
        Certificate = read.Text("Mqtt:Tls:Certificate", Certificate);
        CertificateKey = read.Text("Mqtt:Tls:CertificateKey", CertificateKey);
        CertificatePassword = read.Raw("Mqtt:Tls:CertificatePassword") ?? CertificatePassword;
        ClientCertificates = read.Choice("Mqtt:Tls:ClientCertificates", ClientCertificates);
        CaFile = read.Text("Mqtt:Tls:CaFile", CaFile);
        UseIdentityAsUsername = read.Boolean("Mqtt:Tls:UseIdentityAsUsername", UseIdentityAsUsername);
    }
}

/// <summary>How MQTT over TLS asks for client certificates (<c>Mqtt:Tls:ClientCertificates</c>).</summary>
public enum ClientCertificates
{
    None,
    Optional,
    Required,
}

/// <summary><c>Metrics:*</c>: <c>/metrics</c> without a key on a port of its own (docs/deploying.md).</summary>
public sealed class MetricsOptions : SettingsSection
{
    /// <summary><c>Metrics:Port</c>; unset (null), <c>/metrics</c> is on the dashboard's port and needs an API key.</summary>
    public int? Port { get; set; }

    public IPAddress Address { get; set; } = IPAddress.Loopback;

    internal override void Read(SettingsReader read)
    {
        Port = read.Text("Metrics:Port") is null ? Port : read.Port("Metrics:Port", Port ?? 0);
        Address = read.Address("Metrics:Address", Address);
    }
}

/// <summary><c>Broker:*</c>: the embedded broker.</summary>
public sealed class BrokerOptions : SettingsSection
{
    /// <summary><c>Broker:NodeName</c>: the <c>node</c> column.</summary>
    public string NodeName { get; set; } = $"dashboard@{Environment.MachineName}";

    /// <summary>Whether MQTT clients without a user name may connect.</summary>
    public bool AllowAnonymous { get; set; } = true;

    /// <summary>A VerneMQ-format password file, reloaded on change; unset, no passwords are checked.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>A VerneMQ-format ACL file, reloaded on change; unset, every topic is allowed.</summary>
    public string? AclFile { get; set; }

    /// <summary>Queued messages per session before the oldest is dropped (1,000).</summary>
    public int MaxQueuedMessages { get; set; } = BrokerSettings.DefaultMaxQueuedMessages;

    /// <summary>The longest client id accepted, in UTF-8 bytes (1,024).</summary>
    public int MaxClientIdLength { get; set; } = BrokerAuthorizer.DefaultMaxClientIdBytes;

    /// <summary>Queue QoS 0 messages for offline sessions too.</summary>
    public bool QueueQos0Messages { get; set; }

    /// <summary>A connection without a complete CONNECT by then is closed (10 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = BrokerSettings.DefaultConnectTimeout;

    internal override void Read(SettingsReader read)
    {
        NodeName = read.Text("Broker:NodeName", NodeName)!;
        AllowAnonymous = read.Boolean("Broker:AllowAnonymous", AllowAnonymous);
        PasswordFile = read.Text("Broker:PasswordFile", PasswordFile);
        AclFile = read.Text("Broker:AclFile", AclFile);
        MaxQueuedMessages = read.Integer("Broker:MaxQueuedMessages", MaxQueuedMessages, 1, int.MaxValue);
        MaxClientIdLength = read.Integer("Broker:MaxClientIdLength", MaxClientIdLength, 1, 65_535);
        QueueQos0Messages = read.Boolean("Broker:QueueQos0Messages", QueueQos0Messages);
        ConnectTimeout = read.Duration("Broker:ConnectTimeout", ConnectTimeout);
    }

    /// <summary>What the broker's MQTTnet options are made from.</summary>
    public BrokerSettings Settings() => new() { MaxQueuedMessages = MaxQueuedMessages, ConnectTimeout = ConnectTimeout };
}

/// <summary><c>Data:Path</c>: the folder of <c>dashboard.db</c> and <c>sessions.db</c>.</summary>
public sealed class DataOptions : SettingsSection
{
    public string Path { get; set; } = "./data";

    internal override void Read(SettingsReader read) => Path = read.Text("Data:Path", Path)!;
}

/// <summary><c>Auth:*</c>: the admin user and how sign-ins are checked.</summary>
public sealed class AuthOptions : SettingsSection
{
    /// <summary><c>Auth:AdminPassword</c>: the <c>admin</c> user's password; unset on a first start, one is generated and logged once.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>How often an open page or live-feed connection checks again that its sign-in, token or key still stands (30 s).</summary>
    public TimeSpan RevalidateInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sign-in attempts and wall-link uses allowed per client address per minute (30).</summary>
    public int SignInAttemptsPerMinute { get; set; } = 30;

    internal override void Read(SettingsReader read)
    {
        AdminPassword = read.Raw("Auth:AdminPassword") ?? AdminPassword;
        RevalidateInterval = read.Duration("Auth:RevalidateInterval", RevalidateInterval);
        SignInAttemptsPerMinute = read.Integer("Auth:SignInAttemptsPerMinute", SignInAttemptsPerMinute, 1, int.MaxValue);
    }

    // A start-up setting, not user input: refusing to start is clearer than an admin whose password
    // silently is not the configured one. Never names the password itself.
    internal override IEnumerable<string> Check() =>
        AdminPasswordProblem(AdminPassword) is { } problem ? [problem] : [];

    /// <summary>Why <paramref name="password"/> cannot be the admin's password, or null (unset is fine: one is generated).</summary>
    public static string? AdminPasswordProblem(string? password) =>
        !string.IsNullOrEmpty(password) && PasswordRules.Check(password) is { } error ? $"Auth:AdminPassword is not usable: {error}." : null;
}

/// <summary><c>Api:Keys:N:Key</c> and <c>Api:Keys:N:Scope</c>: API keys from the configuration.</summary>
public sealed class ApiOptions : SettingsSection
{
    public IReadOnlyList<ConfiguredApiKey> Keys { get; set; } = [];

    internal override void Read(SettingsReader read)
    {
        var keys = new List<ConfiguredApiKey>();
        foreach (var entry in read.Children("Api:Keys"))
        {
            var prefix = $"Api:Keys:{entry.Key}";
            // VerneMQ's api-key add defaults to the mgmt scope.
            var scope = read.Choice($"{prefix}:Scope", ApiKeyScope.Mgmt, "mgmt or read");
            if (read.Raw($"{prefix}:Key") is not { } key)
            {
                read.Problem($"{prefix}:Key is not set (the key callers present; {prefix}:Scope is mgmt or read).");
                continue;
            }
            keys.Add(new ConfiguredApiKey(entry.Key, key, scope));
        }
        Keys = keys.Count > 0 ? keys : Keys;
    }
}

/// <summary>One configured API key; <see cref="Index"/> is its N, which the audit log names.</summary>
public sealed record ConfiguredApiKey(string Index, string Key, ApiKeyScope Scope)
{
    /// <summary>Hides the key if the record is ever written out.</summary>
    public override string ToString() => $"Api:Keys:{Index} ({Scope})";
}

/// <summary><c>Live:*</c>: how the live feed coalesces (<see cref="SessionFeedOptions"/>).</summary>
public sealed class LiveOptions : SettingsSection
{
    private static readonly SessionFeedOptions FeedDefaults = new();

    /// <summary>Changes are sent at most once per window (100 ms).</summary>
    public TimeSpan Window { get; set; } = FeedDefaults.Window;

    /// <summary>Counters are sent once per interval (1 s).</summary>
    public TimeSpan CounterInterval { get; set; } = FeedDefaults.CounterInterval;

    /// <summary>Sessions one consumer may have pending before it gets a fresh snapshot instead (10,000).</summary>
    public int MaxPendingSessions { get; set; } = FeedDefaults.MaxPendingSessions;

    internal override void Read(SettingsReader read)
    {
        Window = read.Duration("Live:Window", Window);
        CounterInterval = read.Duration("Live:CounterInterval", CounterInterval);
        MaxPendingSessions = read.Integer("Live:MaxPendingSessions", MaxPendingSessions, 1, int.MaxValue);
    }

    public SessionFeedOptions Feed() => new() { Window = Window, CounterInterval = CounterInterval, MaxPendingSessions = MaxPendingSessions };
}

/// <summary><c>Flapping:*</c>: when a client counts as flapping (docs/operator-tools.md).</summary>
public sealed class FlappingOptions : SettingsSection
{
    /// <summary>More connects than this within the window is flapping (5).</summary>
    public int Connects { get; set; } = FlapPolicy.DefaultConnects;

    /// <summary>The window, in seconds (300).</summary>
    public int WindowSeconds { get; set; } = (int)FlapPolicy.DefaultWindow.TotalSeconds;

    internal override void Read(SettingsReader read)
    {
        Connects = read.Integer("Flapping:Connects", Connects, 1, FlapPolicy.MaxKept - 1);
        WindowSeconds = read.Integer("Flapping:WindowSeconds", WindowSeconds, 1, 86_400);
    }

    public FlapPolicy Policy(TimeProvider time) => new(Connects, TimeSpan.FromSeconds(WindowSeconds), time);
}

/// <summary><c>QueueHealth:*</c>: the queue-health marks (docs/operator-tools.md).</summary>
public sealed class QueueHealthOptions : SettingsSection
{
    /// <summary>The share of <c>Broker:MaxQueuedMessages</c> queued that marks a queue, in percent (80).</summary>
    public int QueuedPercent { get; set; } = QueueHealthPolicy.DefaultQueuedPercent;

    /// <summary>Messages in flight that mark a queue (100).</summary>
    public long InFlight { get; set; } = QueueHealthPolicy.DefaultInFlight;

    /// <summary>Dropped messages that mark a queue (1: any).</summary>
    public long Dropped { get; set; } = QueueHealthPolicy.DefaultDropped;

    internal override void Read(SettingsReader read)
    {
        QueuedPercent = read.Integer("QueueHealth:QueuedPercent", QueuedPercent, 1, 100);
        InFlight = read.Integer("QueueHealth:InFlight", InFlight, 1, int.MaxValue);
        Dropped = read.Integer("QueueHealth:Dropped", Dropped, 1, long.MaxValue);
    }

    public QueueHealthPolicy Policy(int maxQueuedMessages) => QueueHealthPolicy.ForLimit(maxQueuedMessages, QueuedPercent, InFlight, Dropped);
}

/// <summary><c>Trace:*</c>: the limits of live traces (docs/operator-tools.md).</summary>
public sealed class TraceOptions : SettingsSection
{
    public int MaxPackets { get; set; } = 1000;

    public int MaxMinutes { get; set; } = 10;

    public int MaxConcurrent { get; set; } = 3;

    internal override void Read(SettingsReader read)
    {
        MaxPackets = read.Integer("Trace:MaxPackets", MaxPackets, 1, 100_000);
        MaxMinutes = read.Integer("Trace:MaxMinutes", MaxMinutes, 1, 1440);
        MaxConcurrent = read.Integer("Trace:MaxConcurrent", MaxConcurrent, 1, 50);
    }

    public TraceLimits Limits() => new(MaxPackets, TimeSpan.FromMinutes(MaxMinutes), MaxConcurrent);
}

/// <summary><c>VerneMQ:*</c>: the cluster a <c>Source:Kind=VerneMQ</c> dashboard mirrors (docs/vernemq.md).</summary>
public sealed class VerneMqOptions : SettingsSection
{
    /// <summary>The default of <see cref="MessageDetailsUpTo"/> (BENCHMARKS.md: listing messages at 10,000 queues takes VerneMQ 5 s).</summary>
    public const int DefaultMessageDetailsUpTo = 2_000;

    /// <summary><c>VerneMQ:Nodes:N:Url</c>: the HTTP listener of each node; at least one.</summary>
    public IReadOnlyList<Uri> NodeUrls { get; set; } = [];

    /// <summary>An API key of scope mgmt known to every node; required, never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The dashboard as the nodes reach it; unset, its own address.</summary>
    public Uri? CallbackUrl { get; set; }

    /// <summary>What every webhook call must carry, 16 characters or more; unset, one is generated per start.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How often the whole cluster is read again (30 s; at least 1 s).</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long another dashboard's webhook address must refuse connections, at every health check in a
    /// row, before its hooks are removed (30 s: six checks; a wrong removal heals at the owner's next check).
    /// </summary>
    public TimeSpan StaleHookAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Up to how many queues a full read lists queued messages (2,000); 0: never during syncs.</summary>
    public int MessageDetailsUpTo { get; set; } = DefaultMessageDetailsUpTo;

    internal override void Read(SettingsReader read)
    {
        var urls = new List<Uri>();
        foreach (var node in read.Children("VerneMQ:Nodes"))
        {
            if (read.Url($"VerneMQ:Nodes:{node.Key}:Url", null, "for example http://127.0.0.1:8888") is { } url)
            {
                urls.Add(url);
            }
        }
        NodeUrls = urls.Count > 0 ? urls : NodeUrls;
        ApiKey = read.Text("VerneMQ:ApiKey", ApiKey);
        CallbackUrl = read.Url("VerneMQ:CallbackUrl", CallbackUrl, "the dashboard as the VerneMQ nodes reach it, for example http://10.0.0.5:8888");
        WebhookSecret = read.Raw("VerneMQ:WebhookSecret") ?? WebhookSecret;
        ResyncInterval = read.Duration("VerneMQ:ResyncInterval", ResyncInterval, TimeSpan.FromSeconds(1));
        StaleHookAfter = read.Duration("VerneMQ:StaleHookAfter", StaleHookAfter, TimeSpan.FromSeconds(1));
        MessageDetailsUpTo = read.Integer("VerneMQ:MessageDetailsUpTo", MessageDetailsUpTo, 0, int.MaxValue);
    }

    internal override IEnumerable<string> Check()
    {
        if (NodeUrls.Count == 0)
        {
            yield return "Source:Kind is VerneMQ but no VerneMQ:Nodes:0:Url is set (the HTTP listener of a VerneMQ node, for example http://127.0.0.1:8888).";
        }
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            yield return "Source:Kind is VerneMQ but VerneMQ:ApiKey is not set (an API key of scope mgmt: vmq-admin api-key create).";
        }
        if (WebhookSecret is { Length: > 0 and < 16 })
        {
            yield return "VerneMQ:WebhookSecret is shorter than 16 characters; leave it unset to have one generated.";
        }
    }

    /// <summary>Hides the key and the secret if the options are ever written out.</summary>
    public override string ToString() => $"VerneMqOptions {{ Nodes = {string.Join(", ", NodeUrls)}, CallbackUrl = {CallbackUrl}, ResyncInterval = {ResyncInterval}, MessageDetailsUpTo = {MessageDetailsUpTo}, StaleHookAfter = {StaleHookAfter} }}";
}
