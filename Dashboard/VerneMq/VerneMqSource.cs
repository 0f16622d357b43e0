using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Dashboard.Core.Actions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Dashboard.Core.VerneMq;
using Dashboard.Hosting;

namespace Dashboard.VerneMq;

/// <summary>
/// Mirrors a VerneMQ cluster into the store (docs/vernemq.md): a full read at start and every
/// <c>VerneMQ:ResyncInterval</c>, applied as differences; webhooks registered on every node and applied
/// as they come, each followed by a read of that one client; node health every few seconds.
/// </summary>
public sealed partial class VerneMqSource(
    VerneMqSettings settings,
    VerneMqClient client,
    VerneMqNodes nodes,
    SessionStore store,
    HttpEndpoint http,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<VerneMqSource> logger) : BackgroundService, IQueuedMessageReader
{
    /// <summary>The observing hooks the dashboard registers; never an <c>auth_*</c> hook (see docs/vernemq.md).</summary>
    public static readonly string[] Hooks =
    [
        "on_register", "on_register_m5", "on_client_wakeup", "on_client_offline", "on_client_gone",
        "on_subscribe", "on_subscribe_m5", "on_unsubscribe", "on_unsubscribe_m5",
    ];

    /// <summary>Where the nodes post their hooks, below the callback address; the node name follows.</summary>
    public const string WebhookPath = "/vernemq/webhook";

    // More clients than this waiting for a read after their hooks: one full read is cheaper (a read of
    // ClientsPerRead clients costs VerneMQ about a fifth of a full read's walks).
    private const int MaxTargetedReads = 500;

    // Clients asked about in one read after hooks (VerneMqSessions.ReadBatches).
    private const int ClientsPerRead = 50;

    private readonly Channel<bool> _resyncNow = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<bool> _targetedWaiting = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<QueueKey, bool> _targeted = new();
    // When a hook last touched a queue: a full read that started before it must not undo it.
    private readonly ConcurrentDictionary<QueueKey, long> _touched = new();
    // One per configured URL, fixed at construction; only the values change (on the source's loop).
    private readonly Dictionary<Uri, NodeCheck> _checks = settings.NodeUrls.Distinct().ToDictionary(url => url, _ => new NodeCheck { Since = time.GetUtcNow() });
    private readonly SemaphoreSlim _readLock = new(1, 1);
    // Taken by a hook while it touches and applies, and by a read while it checks what hooks touched and
    // applies: a read never writes an answer older than a hook that came in between the two.
    private readonly Lock _applyLock = new();

    private sealed class NodeCheck
    {
        public string? Name;
        public bool Reachable;
        public DateTimeOffset Since;
        public bool HooksRegistered;
        public string? Problem;
    }

    private readonly Dictionary<string, DateTimeOffset> _lastGoodRead = new(StringComparer.Ordinal);
    // Other dashboards' webhook addresses (scheme://host:port) that refused connections at every check
    // since then; only the source's loop touches it.
    private readonly Dictionary<string, DateTimeOffset> _refusingSince = new(StringComparer.Ordinal);

    /// <summary>One registration on one node that names another dashboard's webhook address.</summary>
    private sealed record ForeignHook(Uri Node, string NodeName, string Hook, string Endpoint, Uri Address);
    // Read by the targeted reads too, hence concurrent.
    private readonly ConcurrentDictionary<string, (bool Running, DateTimeOffset Since)> _clusterView = new(StringComparer.Ordinal);

    /// <summary>The secret every webhook call must carry.</summary>
    public string WebhookSecret => settings.WebhookSecret;

    /// <summary>The endpoint registered on a node: the callback address, this path, the node, the secret.</summary>
    public string EndpointFor(string node)
    {
        var callback = settings.CallbackUrl ?? http.Url ?? throw new InvalidOperationException("The dashboard's HTTP listener is not bound yet.");
        return $"{callback.GetLeftPart(UriPartial.Authority)}{callback.AbsolutePath.TrimEnd('/')}{WebhookPath}/{Uri.EscapeDataString(node)}?secret={Uri.EscapeDataString(settings.WebhookSecret)}";
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The hooks' endpoint names the HTTP port, which with port 0 is known only once the server runs.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        var targeted = Task.Run(() => TargetedReadsAsync(stoppingToken), stoppingToken);
        var nextResync = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var changed = await CheckNodesAsync(stoppingToken).ConfigureAwait(false);
                if (changed || time.GetUtcNow() >= nextResync || _resyncNow.Reader.TryRead(out _))
                {
                    await ResyncAsync(stoppingToken).ConfigureAwait(false);
                    nextResync = time.GetUtcNow() + settings.ResyncInterval;
                }
                PublishNodes();
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(settings.HealthInterval);
                await _resyncNow.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The health interval passed, or the app is stopping (the loop condition decides).
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Whatever went wrong, the source keeps watching: an exception leaving a background
                // service would stop the whole dashboard.
                LogCycleFailed(exception);
                await Task.Delay(settings.HealthInterval, time, CancellationToken.None).ConfigureAwait(false);
            }
        }
        try
        {
            await targeted.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Removes this dashboard's hooks from every node on a graceful stop: a hook whose endpoint is gone
    /// costs VerneMQ a failed call (and, for an address that no longer answers, a timeout) on every
    /// event. A killed dashboard's hooks are replaced at its next start on the same callback address, or
    /// removed by a running dashboard once their address stays refused (<see cref="RemoveDeadHooksAsync"/>).
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(3));
        foreach (var (url, check) in _checks)
        {
            if (check.Name is not { } node || !check.HooksRegistered)
            {
                continue;
            }
            try
            {
                var endpoint = Uri.EscapeDataString(EndpointFor(node));
                foreach (var hook in Hooks)
                {
                    await client.ApiAsync(url, "webhooks/deregister", $"hook={hook}&endpoint={endpoint}", bound.Token).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is VerneMqException or OperationCanceledException or InvalidOperationException)
            {
                LogNodeProblem(url, "could not remove this dashboard's webhooks at shutdown: " + exception.Message);
            }
        }
    }

    /// <summary>The node the API calls go to: the first configured one that answered last.</summary>
    public Uri ApiNode => _checks.FirstOrDefault(c => c.Value.Reachable).Key ?? settings.NodeUrls[0];

    /// <summary>Asks for a full read soon (after an action, or when many hooks came at once).</summary>
    public void RequestResync() => _resyncNow.Writer.TryWrite(true);

    /// <summary>
    /// Checks every configured node (its status page gives its name) and the cluster's own view, and
    /// registers the hooks where they are missing. Returns whether any node came or went.
    /// </summary>
    private async Task<bool> CheckNodesAsync(CancellationToken cancellationToken)
    {
        var changed = false;
        var now = time.GetUtcNow();
        var foreign = new List<ForeignHook>();
        foreach (var (url, check) in _checks)
        {
            try
            {
                var status = await client.StatusAsync(url, cancellationToken).ConfigureAwait(false);
                // status.json lists the node that answers first (docs/vernemq.md).
                var name = status.ValueKind == JsonValueKind.Array && status.GetArrayLength() > 0
                    && status[0].ValueKind == JsonValueKind.Object ? status[0].EnumerateObject().Select(p => p.Name).FirstOrDefault() : null;
                check.Name = name ?? check.Name;
                // The API key is checked by the cluster view below; a refusal there is the operator's to fix.
                var cluster = await client.ApiAsync(url, "cluster/show", "", cancellationToken).ConfigureAwait(false);
                foreach (var row in VerneMqSessions.Rows(cluster))
                {
                    if (VerneMqSessions.Text(row, "Node") is { } member)
                    {
                        var running = row.TryGetProperty("Running", out var r) && r.ValueKind == JsonValueKind.True;
                        if (!_clusterView.TryGetValue(member, out var seen) || seen.Running != running)
                        {
                            _clusterView[member] = (running, now);
                            changed = true;
                        }
                    }
                }
                if (!check.Reachable)
                {
                    check.Reachable = true;
                    check.Since = now;
                    changed = true;
                    LogNodeReachable(url, check.Name ?? "?");
                }
                check.HooksRegistered = await EnsureHooksAsync(url, check.Name, foreign, cancellationToken).ConfigureAwait(false);
                check.Problem = check.HooksRegistered ? null : "webhooks not registered: changes show at each resync only";
            }
            catch (VerneMqException exception)
            {
                if (check.Reachable || check.Problem != exception.Message)
                {
                    LogNodeProblem(url, exception.Message);
                }
                if (check.Reachable)
                {
                    check.Since = now;
                    changed = true;
                }
                check.Reachable = false;
                check.HooksRegistered = false;
                check.Problem = exception.Message;
            }
        }
        await RemoveDeadHooksAsync(foreign, now, cancellationToken).ConfigureAwait(false);
        return changed;
    }

    /// <summary>
    /// Registers the hooks missing on one node and removes this dashboard's stale ones (an old secret);
    /// adds to <paramref name="foreign"/> the registrations that look like another dashboard's.
    /// </summary>
    private async Task<bool> EnsureHooksAsync(Uri url, string? node, List<ForeignHook> foreign, CancellationToken cancellationToken)
    {
        if (node is null)
        {
            return false;
        }
        var endpoint = EndpointFor(node);
        var ours = endpoint[..endpoint.IndexOf('?', StringComparison.Ordinal)];
        // Every endpoint of this dashboard (any node, any secret) starts so.
        var ownPrefix = ours[..(ours.LastIndexOf(WebhookPath + "/", StringComparison.Ordinal) + WebhookPath.Length + 1)];
        var shown = await client.ApiAsync(url, "webhooks/show", "", cancellationToken).ConfigureAwait(false);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in VerneMqSessions.Rows(shown))
        {
            var hook = VerneMqSessions.Text(row, "hook") ?? VerneMqSessions.Text(row, "Hook");
            var registered = VerneMqSessions.Text(row, "endpoint") ?? VerneMqSessions.Text(row, "Endpoint");
            if (hook is null || registered is null)
            {
                continue;
            }
            if (registered == endpoint)
            {
                present.Add(hook);
            }
            else if (registered.StartsWith(ours + "?", StringComparison.Ordinal))
            {
                // Left by an earlier start of this dashboard with another secret: every call would be refused.
                await client.ApiAsync(url, "webhooks/deregister", $"hook={Uri.EscapeDataString(hook)}&endpoint={Uri.EscapeDataString(registered)}", cancellationToken).ConfigureAwait(false);
            }
            else if (!registered.StartsWith(ownPrefix, StringComparison.Ordinal) && DashboardAddress(registered) is { } address)
            {
                foreign.Add(new ForeignHook(url, node, hook, registered, address));
            }
        }
        foreach (var hook in Hooks.Where(h => !present.Contains(h)))
        {
            await client.ApiAsync(url, "webhooks/register", $"hook={hook}&endpoint={Uri.EscapeDataString(endpoint)}", cancellationToken).ConfigureAwait(false);
            LogHookRegistered(hook, node);
        }
        return true;
    }

    /// <summary>
    /// The address (scheme, host, port) of an endpoint shaped as a dashboard registers its hooks
    /// (<c>.../vernemq/webhook/{node}?secret=...</c>); null for any other endpoint, which is never touched.
    /// </summary>
    private static Uri? DashboardAddress(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            && uri.AbsolutePath.Contains(WebhookPath + "/", StringComparison.Ordinal)
            && uri.Query.Contains("secret=", StringComparison.Ordinal)
            ? new Uri(uri.GetLeftPart(UriPartial.Authority))
            : null;

    /// <summary>
    /// Removes the hooks of a dashboard that is gone for good (killed, never stopped gracefully, started
    /// again elsewhere): its address refused connections at every health check for at least
    /// <c>VerneMQ:StaleHookAfter</c>. Only a refused or unreachable address counts: one that answers at
    /// all, even with an HTTP error, is a live dashboard; one that does not answer in time may be a slow
    /// network. Hooks at any other path are never touched.
    /// </summary>
    private async Task RemoveDeadHooksAsync(List<ForeignHook> foreign, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var byAddress = foreign.GroupBy(h => h.Address.ToString(), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        // A check that did not see an address breaks its run of refusals.
        foreach (var gone in _refusingSince.Keys.Where(a => !byAddress.ContainsKey(a)).ToArray())
        {
            _refusingSince.Remove(gone);
        }
        // In parallel: an address that does not answer costs the probe's timeout, not one per address.
        var probes = byAddress.ToDictionary(p => p.Key, p => RefusesAsync(p.Value[0].Address, cancellationToken), StringComparer.Ordinal);
        await Task.WhenAll(probes.Values).ConfigureAwait(false);
        foreach (var (address, hooks) in byAddress)
        {
            if (!await probes[address].ConfigureAwait(false))
            {
                _refusingSince.Remove(address);
                continue;
            }
            if (!_refusingSince.TryGetValue(address, out var since))
            {
                _refusingSince[address] = now;
                continue;
            }
            if (now - since < settings.StaleHookAfter)
            {
                continue;
            }
            foreach (var registration in hooks.GroupBy(h => (h.Node, h.NodeName, h.Endpoint)))
            {
                var (url, nodeName, endpoint) = registration.Key;
                try
                {
                    foreach (var hook in registration)
                    {
                        await client.ApiAsync(url, "webhooks/deregister", $"hook={Uri.EscapeDataString(hook.Hook)}&endpoint={Uri.EscapeDataString(endpoint)}", cancellationToken).ConfigureAwait(false);
                    }
                    // Without the query: it holds that dashboard's secret.
                    LogDeadHooksRemoved(string.Join(", ", registration.Select(h => h.Hook)), endpoint[..endpoint.IndexOf('?', StringComparison.Ordinal)],
                        nodeName, (now - since).TotalSeconds, since);
                }
                catch (VerneMqException exception)
                {
                    LogNodeProblem(url, "could not remove a dead dashboard's webhooks: " + exception.Message);
                }
            }
            _refusingSince.Remove(address);
        }
    }

    // Long enough for a loaded host to accept; a dead local port refuses at once.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Whether a TCP connection to the address is refused or its host unreachable (a timeout is not).</summary>
    private static async Task<bool> RefusesAsync(Uri address, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            // IdnHost: an IPv6 address without its brackets, a host name as DNS takes it.
            await socket.ConnectAsync(address.IdnHost, address.Port, timeout.Token).ConfigureAwait(false);
            return false;
        }
        catch (SocketException exception)
        {
            return exception.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads every session of the cluster and applies the differences. Queues of a node that did not
    /// answer stay as they were (stale); queues a hook touched after the read began are left to their
    /// own read.
    /// </summary>
    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        var url = _checks.FirstOrDefault(c => c.Value.Reachable).Key;
        if (url is null)
        {
            return;
        }
        await _readLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            Dictionary<QueueKey, MirroredQueue> mirror;
            try
            {
                mirror = await ReadAsync(url, [], settings.MessageDetailsUpTo, cancellationToken).ConfigureAwait(false);
            }
            catch (VerneMqException exception)
            {
                LogResyncFailed(exception.Message);
                return;
            }
            var running = _clusterView.Where(n => n.Value.Running).Select(n => n.Key).ToHashSet(StringComparer.Ordinal);
            var events = new List<StoreEvent>();
            // Hooks wait while the differences are found and written (tens of milliseconds at 10,000 queues),
            // so that none lands between a queue's check and the write of an older answer for it.
            lock (_applyLock)
            {
                foreach (var (key, queue) in mirror)
                {
                    if (!TouchedSince(key, started))
                    {
                        events.Add(new QueueMirrored(key, KeepListedMessages(queue, store.Get(key))));
                    }
                }
                using (var snapshot = store.OpenSnapshot())
                {
                    foreach (var queue in snapshot.Queues())
                    {
                        // Only the answer of a running node can say a queue is gone.
                        if (!mirror.ContainsKey(queue.Key) && queue.Node is { } node && running.Contains(node) && !TouchedSince(queue.Key, started))
                        {
                            events.Add(new QueueRemoved(queue.Key));
                        }
                    }
                }
                store.Apply(events.ToArray());
            }
            var now = time.GetUtcNow();
            foreach (var node in running)
            {
                _lastGoodRead[node] = now;
            }
            foreach (var (key, at) in _touched)
            {
                if (at < started)
                {
                    _touched.TryRemove(new KeyValuePair<QueueKey, long>(key, at));
                }
            }
            LogResynced(mirror.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            _readLock.Release();
        }
    }

    private bool TouchedSince(QueueKey key, long timestamp) => _touched.TryGetValue(key, out var at) && at >= timestamp;

    /// <summary>
    /// The <c>session show</c> reads with the same filters: queues and subscriptions always; message
    /// details only when some queue holds messages and the answer has at most
    /// <paramref name="messageDetailsUpTo"/> queues. VerneMQ reads them by walking every queue's store,
    /// whatever the filter (5 s at 10,000 queues on 2 cores, see BENCHMARKS.md), so hooks' reads never ask
    /// (<see cref="NoMessageDetails"/>), full reads ask up to <c>VerneMQ:MessageDetailsUpTo</c> queues, and
    /// only a reader's explicit request (<see cref="ReadQueuedMessagesAsync"/>) always asks; otherwise
    /// messages are counted, not listed.
    /// </summary>
    private async Task<Dictionary<QueueKey, MirroredQueue>> ReadAsync(Uri url, string[] filters, int messageDetailsUpTo, CancellationToken cancellationToken)
    {
        var queues = client.ApiAsync(url, "session/show", VerneMqSessions.QueryString(VerneMqSessions.QueueFields, filters), cancellationToken);
        var subscriptions = client.ApiAsync(url, "session/show", VerneMqSessions.QueryString(VerneMqSessions.SubscriptionFields, filters), cancellationToken);
        var queueAnswer = await queues.ConfigureAwait(false);
        var subscriptionAnswer = await subscriptions.ConfigureAwait(false);
        var messageAnswer = default(JsonElement);
        if (VerneMqSessions.QueuesWithMessages(queueAnswer) > 0 && VerneMqSessions.Rows(queueAnswer).Count() <= messageDetailsUpTo)
        {
            messageAnswer = await client.ApiAsync(url, "session/show", VerneMqSessions.QueryString(VerneMqSessions.MessageFields, filters), cancellationToken).ConfigureAwait(false);
        }
        return VerneMqSessions.Build(queueAnswer, subscriptionAnswer, messageAnswer);
    }

    private const int NoMessageDetails = 0;

    /// <summary>
    /// A queue read without its messages (counted, not listed) keeps the messages an earlier detailed read
    /// listed, while VerneMQ's count still agrees with them: a full read above the threshold, or the read
    /// after a hook, must not undo what a detailed read found.
    /// </summary>
    private static MirroredQueue KeepListedMessages(MirroredQueue read, QueueState? known) =>
        known is not null && read.Messages.Count == 0 && read.UnlistedMessages > 0 && known.Messages.Length == read.UnlistedMessages
            ? read with { Messages = known.Messages, UnlistedMessages = 0 }
            : read;

    /// <summary>
    /// Applies a webhook from <paramref name="node"/> at once with what it carries, then asks for a read of
    /// that client for the fields hooks do not carry. Returns false when the body is not one it understands.
    /// </summary>
    public bool ApplyHook(string node, string hook, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || VerneMqSessions.Text(body, "client_id") is not { } clientId)
        {
            return false;
        }
        var key = new QueueKey(VerneMqSessions.Text(body, "mountpoint") ?? "", clientId);
        // Under the lock a read's check-then-apply also takes, so that no read applies an answer older
        // than this hook between its check and its write.
        lock (_applyLock)
        {
            _touched[key] = Stopwatch.GetTimestamp();
            var events = new List<StoreEvent>();
            switch (hook)
            {
                case "on_client_offline":
                    events.Add(new ClientDisconnected(key, KeepQueue: true));
                    break;
                case "on_client_gone":
                    events.Add(new QueueRemoved(key));
                    break;
                case "on_subscribe" or "on_subscribe_m5" when body.TryGetProperty("topics", out var topics) && topics.ValueKind == JsonValueKind.Array:
                    foreach (var topic in topics.EnumerateArray())
                    {
                        // A topic without a granted QoS (0 to 2) is not a subscription (a refusal is written 128 or as a word).
                        if (topic.ValueKind == JsonValueKind.Object && VerneMqSessions.Text(topic, "topic") is { } filter
                            && topic.TryGetProperty("qos", out var q) && q.ValueKind == JsonValueKind.Number && q.TryGetInt32(out var qos) && qos is >= 0 and <= 2)
                        {
                            // MQTT 3.x hooks carry no options; VerneMQ shows them as undefined.
                            var m5 = hook.EndsWith("_m5", StringComparison.Ordinal);
                            events.Add(new SubscriptionAdded(key, new Subscription(filter, qos,
                                m5 ? topic.TryGetProperty("rap", out var rap) && rap.ValueKind == JsonValueKind.True : null,
                                m5 ? topic.TryGetProperty("no_local", out var noLocal) && noLocal.ValueKind == JsonValueKind.True : null)));
                        }
                    }
                    break;
                case "on_unsubscribe" or "on_unsubscribe_m5" when body.TryGetProperty("topics", out var topics) && topics.ValueKind == JsonValueKind.Array:
                    foreach (var topic in topics.EnumerateArray())
                    {
                        if (topic.ValueKind == JsonValueKind.String && topic.GetString() is { } filter)
                        {
                            events.Add(new SubscriptionRemoved(key, filter));
                        }
                    }
                    break;
                case "on_register" or "on_register_m5":
                    // Online at once with what the hook carries; the read that follows fills in the rest
                    // (clean session, pids, the protocol of an MQTT 3.x client), so a reconnect shows without
                    // waiting for VerneMQ to walk its queues (BENCHMARKS.md).
                    events.Add(new QueueMirrored(key, Registered(node, hook, body, store.Get(key))));
                    break;
                case "on_client_wakeup":
                    break;
                default:
                    return false;
            }
            if (events.Count > 0)
            {
                store.Apply(events.ToArray());
            }
        }
        if (hook != "on_client_gone")
        {
            RequestRead(key);
        }
        return true;
    }

    private MirroredQueue Registered(string node, string hook, JsonElement body, QueueState? known)
    {
        var previous = known?.Sessions.FirstOrDefault();
        var session = new AttachedSession(0, VerneMqSessions.Text(body, "username"), VerneMqSessions.Text(body, "peer_addr") ?? "",
            body.TryGetProperty("peer_port", out var port) && port.ValueKind == JsonValueKind.Number && port.TryGetInt32(out var number) ? number : 0,
            hook == "on_register_m5" ? 5 : previous?.Protocol is { } protocol and not 5 ? protocol : 4,
            time.GetUtcNow().ToUnixTimeMilliseconds());
        return known is null
            ? new MirroredQueue(node, null, session.StartedAt, false, session, [], [])
            : new MirroredQueue(node, known.QueuePid, known.StartedAt, known.CleanSession, session, known.Subscriptions, known.Messages, known.UnlistedMessages);
    }

    /// <summary>Asks for a read of one client soon (coalesced).</summary>
    public void RequestRead(QueueKey key)
    {
        _targeted[key] = true;
        _targetedWaiting.Writer.TryWrite(true);
    }

    /// <summary>Reads one client now and applies it; returns its mirrored queue, or null when VerneMQ has none.</summary>
    /// <remarks>
    /// The reads that follow hooks pass <paramref name="removeWhenMissing"/> false: VerneMQ may not list a
    /// client yet when its on_register hook arrives, and removals are the full read's job. Actions pass
    /// true, to see a cleanup's effect at once. Only <see cref="ReadQueuedMessagesAsync"/> passes
    /// <paramref name="messageDetails"/>: it costs VerneMQ a walk of every queue.
    /// </remarks>
    public async Task<MirroredQueue?> ReadNowAsync(QueueKey key, CancellationToken cancellationToken, bool removeWhenMissing = true, bool messageDetails = false)
    {
        var url = ApiNode;
        var started = Stopwatch.GetTimestamp();
        _touched[key] = started;
        var mirror = await ReadAsync(url, [VerneMqSessions.ClientFilter([key.ClientId]), $"--mountpoint={key.Mountpoint}"],
            messageDetails ? int.MaxValue : NoMessageDetails, cancellationToken).ConfigureAwait(false);
        lock (_applyLock)
        {
            if (!removeWhenMissing && TouchedSince(key, started + 1))
            {
                // A hook came in while VerneMQ answered: the answer may predate it (a client that just went
                // would come back from the dead, and count as one more connect). Read again after the hook.
                RequestRead(key);
                return null;
            }
            if (mirror.TryGetValue(key, out var queue))
            {
                queue = KeepListedMessages(queue, store.Get(key));
                store.Apply(new QueueMirrored(key, queue));
                return queue;
            }
            if (removeWhenMissing && store.Get(key) is { Node: { } node } && _clusterView.TryGetValue(node, out var view) && view.Running)
            {
                store.Apply(new QueueRemoved(key));
            }
            return null;
        }
    }

    /// <inheritdoc />
    /// <remarks>The detail page's "Read them from VerneMQ": one client's <c>session show</c> with the message fields.</remarks>
    public async Task<int?> ReadQueuedMessagesAsync(QueueKey key, CancellationToken cancellationToken = default)
    {
        try
        {
            var queue = await ReadNowAsync(key, cancellationToken, messageDetails: true).ConfigureAwait(false);
            return queue?.Messages.Count;
        }
        catch (VerneMqException exception)
        {
            throw new ActionFailedException(exception.Message, exception);
        }
    }

    /// <summary>
    /// The read that follows hooks, for a batch of clients (docs/vernemq.md#webhooks): their queue and
    /// connection fields only. Subscriptions come from the subscribe and unsubscribe hooks themselves (and
    /// from full reads), so this read keeps the ones the mirror has: VerneMQ's subscription answer is the
    /// costly one (about 0.8 s at 10,000 queues, against 0.2 s for the queue fields, BENCHMARKS.md). Only
    /// a queue VerneMQ created anew (another queue pid than the one mirrored) whose old subscriptions the
    /// mirror still lists is read whole, since hooks do not say what became of them.
    /// </summary>
    private async Task ReadAfterHooksAsync(QueueKey[] keys, string[] filters, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var key in keys)
        {
            _touched[key] = started;
        }
        var answer = await client.ApiAsync(ApiNode, "session/show", VerneMqSessions.QueryString(VerneMqSessions.QueueFields, filters), cancellationToken).ConfigureAwait(false);
        var mirror = VerneMqSessions.Build(answer, default, default);
        var events = new List<StoreEvent>();
        var readWhole = new List<QueueKey>();
        lock (_applyLock)
        {
            foreach (var key in keys)
            {
                if (TouchedSince(key, started + 1))
                {
                    // A hook came in while VerneMQ answered: the answer may predate it. Read again after the hook.
                    RequestRead(key);
                    continue;
                }
                // Not listed (VerneMQ may not show a client yet when its on_register hook arrives): removals are the full read's job.
                if (!mirror.TryGetValue(key, out var read))
                {
                    continue;
                }
                var known = store.Get(key);
                if (known is { QueuePid: { } pid, Subscriptions.Length: > 0 } && read.QueuePid != pid)
                {
                    readWhole.Add(key);
                    continue;
                }
                events.Add(new QueueMirrored(key, KeepListedMessages(read with { Subscriptions = known?.Subscriptions ?? [] }, known)));
            }
            if (events.Count > 0)
            {
                store.Apply(events.ToArray());
            }
        }
        foreach (var key in readWhole)
        {
            await ReadNowAsync(key, cancellationToken, removeWhenMissing: false).ConfigureAwait(false);
        }
    }

    private async Task TargetedReadsAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _targetedWaiting.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _targetedWaiting.Reader.TryRead(out _);
                // Hooks run inside the client's session process, before VerneMQ shows their effect: a
                // short pause lets the session show that follows see it.
                await Task.Delay(TimeSpan.FromMilliseconds(150), time, cancellationToken).ConfigureAwait(false);
                var keys = _targeted.Keys.ToArray();
                foreach (var key in keys)
                {
                    _targeted.TryRemove(key, out _);
                }
                if (keys.Length > MaxTargetedReads)
                {
                    RequestResync();
                    continue;
                }
                foreach (var (batch, filters) in VerneMqSessions.ReadBatches(keys, ClientsPerRead))
                {
                    try
                    {
                        await ReadAfterHooksAsync(batch, filters, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // One read failing must not end the reads of all the others.
                        LogTargetedReadFailed(batch[0].ClientId, batch.Length, exception.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void PublishNodes()
    {
        var list = new Dictionary<string, VerneMqNodeStatus>(StringComparer.Ordinal);
        foreach (var (url, check) in _checks)
        {
            var name = check.Name ?? url.ToString();
            var inCluster = check.Name is not null && _clusterView.TryGetValue(check.Name, out var view) ? view : ((bool Running, DateTimeOffset Since)?)null;
            var reachable = check.Reachable && inCluster is not { Running: false };
            list[name] = new VerneMqNodeStatus(name, url, reachable, check.Since, _lastGoodRead.TryGetValue(name, out var read) ? read : null,
                check.HooksRegistered, check.Problem);
        }
        foreach (var (name, view) in _clusterView)
        {
            if (!list.ContainsKey(name))
            {
                // A member no VerneMQ:Nodes entry points at: mirrored through the others, without live hooks.
                list[name] = new VerneMqNodeStatus(name, null, view.Running, view.Since, _lastGoodRead.TryGetValue(name, out var read) ? read : null,
                    false, view.Running ? "no VerneMQ:Nodes URL for this node: its changes show at each resync only" : "stopped or unreachable, as the cluster reports");
            }
            else if (!view.Running)
            {
                list[name] = list[name] with { Reachable = false, Since = view.Since, Problem = list[name].Problem ?? "stopped or unreachable, as the cluster reports" };
            }
        }
        nodes.Publish([.. list.Values]);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "VerneMQ source: a check failed; retrying")]
    private partial void LogCycleFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "VerneMQ node {Url} ({Node}) is reachable")]
    private partial void LogNodeReachable(Uri url, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "VerneMQ node {Url}: {Problem}; retrying in the background")]
    private partial void LogNodeProblem(Uri url, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered the webhook {Hook} on VerneMQ node {Node}")]
    private partial void LogHookRegistered(string hook, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the webhooks {Hooks} of {Endpoint} from VerneMQ node {Node}: another dashboard's webhook address, refusing connections for {Seconds:0} s (since {Since:u}), so gone")]
    private partial void LogDeadHooksRemoved(string hooks, string endpoint, string node, double seconds, DateTimeOffset since);

    [LoggerMessage(Level = LogLevel.Warning, Message = "VerneMQ resync failed: {Problem}; the mirror stays as it was")]
    private partial void LogResyncFailed(string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "VerneMQ resync: {Queues} queues read in {Milliseconds:0} ms")]
    private partial void LogResynced(int queues, double milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "VerneMQ read of client {ClientId} (one of {Clients}) failed: {Problem}")]
    private partial void LogTargetedReadFailed(string clientId, int clients, string problem);
}
