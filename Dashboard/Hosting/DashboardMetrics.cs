using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Dashboard.Core.Store;
using Dashboard.Hubs;

namespace Dashboard.Hosting;

/// <summary>
/// The web app's own measurements for <c>/metrics</c> (docs/deploying.md): gauges read from the session
/// store when scraped, per node; connects, disconnects and dropped messages counted from the store's
/// change feed, per node; hub connections; API requests by status. The query durations and the broker's
/// message counts come from Core's meter (<see cref="Dashboard.Core.CoreMetrics"/>).
/// </summary>
internal sealed class DashboardMetrics : IDisposable
{
    public const string MeterName = "Dashboard";

    private readonly SessionStore _store;
    private readonly IDisposable _subscription;
    private readonly Counter<long> _apiRequests;

    // Per node: connects, disconnects, dropped messages since start. Written on the store's writer only.
    private readonly ConcurrentDictionary<string, long[]> _changes = new(StringComparer.Ordinal);

    public DashboardMetrics(IMeterFactory meters, SessionStore store, IServiceProvider services)
    {
        _store = store;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("mqtt.sessions.online", () => ByNode(counters => counters.Online), "{session}", "Sessions online (a client connected)");
        meter.CreateObservableGauge("mqtt.sessions.offline", () => ByNode(counters => counters.Offline), "{session}", "Persistent sessions without a client");
        meter.CreateObservableGauge("mqtt.subscriptions", () => ByNode(counters => counters.Subscriptions), "{subscription}", "Subscriptions of all sessions");
        meter.CreateObservableGauge("mqtt.queued.messages", () => ByNode(counters => counters.QueuedMessages), "{message}", "Messages waiting in session queues");
        meter.CreateObservableCounter("mqtt.connects", () => Changes(0), "{connect}", "Sessions that came online");
        meter.CreateObservableCounter("mqtt.disconnects", () => Changes(1), "{disconnect}", "Sessions that went offline");
        meter.CreateObservableCounter("mqtt.dropped.messages", () => Changes(2), "{message}", "Messages dropped because a session's queue was full");
        // Resolved when scraped: the hub's feeds depend on services that need this one's store first.
        meter.CreateObservableGauge("dashboard.hub.connections", () => services.GetRequiredService<SessionFeeds>().Count,
            "{connection}", "Connections to the live feed hub (/hubs/sessions)");
        _apiRequests = meter.CreateCounter<long>("dashboard.api.requests", "{request}", "Requests to the HTTP API (/api), by status code");
        _subscription = store.Subscribe(Record);
    }

    /// <summary>Counts one API request that ended with <paramref name="status"/>.</summary>
    public void ApiRequest(int status) => _apiRequests.Add(1, new KeyValuePair<string, object?>("status", status));

    public void Dispose() => _subscription.Dispose();

    private IEnumerable<Measurement<long>> ByNode(Func<NodeCounters, long> value) =>
        _store.CountersByNode().Select(counters => new Measurement<long>(value(counters), new KeyValuePair<string, object?>("node", counters.Node)));

    private IEnumerable<Measurement<long>> Changes(int index) =>
        _changes.Select(node => new Measurement<long>(Volatile.Read(ref node.Value[index]), new KeyValuePair<string, object?>("node", node.Key)));

    // Runs on the store's writer under its lock: count, nothing more.
    private void Record(IReadOnlyList<SessionChange> changes)
    {
        foreach (var change in changes)
        {
            var index = change.Kind switch
            {
                ChangeKind.Online => 0,
                ChangeKind.Offline => 1,
                ChangeKind.MessageDropped => 2,
                _ => -1,
            };
            if (index >= 0)
            {
                var counts = _changes.GetOrAdd(change.State?.Node ?? _store.NodeName, _ => new long[3]);
                Interlocked.Increment(ref counts[index]);
            }
        }
    }
}
