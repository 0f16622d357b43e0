using System.Net;
using System.Reflection;
using Dashboard.Core.Broker;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using MQTTnet;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Server;
using MQTTnet.Server.Internal.Adapter;

namespace Dashboard.Tests.Core.Broker;

/// <summary>A real MQTTnet broker on a free loopback port, feeding a store through the tracker.</summary>
internal sealed class BrokerHarness : IAsyncDisposable
{
    private readonly MqttNetEventLogger _mqttLog = new();
    private readonly List<string> _errors = [];
    private readonly List<IMqttClient> _clients = [];

    // MQTTnet's own TCP transport, made here so the port it bound can be read back from it once started.
    private readonly MqttTcpServerAdapter _tcp = new();

    private BrokerHarness(BrokerSettings settings, Action<MqttServer>? attachFirst, ISessionJournal? journal)
    {
        _mqttLog.LogMessagePublished += (_, e) =>
        {
            if (e.LogMessage.Level == MqttNetLogLevel.Error)
            {
                lock (_errors)
                {
                    _errors.Add($"{e.LogMessage.Message} {e.LogMessage.Exception}");
                }
            }
        };
        var options = settings.Configure(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            // Loopback only: MQTTnet also listens on every IPv6 address unless told not to.
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(0)).Build();
        Server = new MqttServerFactory().CreateMqttServer(options, [_tcp], _mqttLog);
        Store = new SessionStore("test@localhost");
        Tracker = new SessionTracker(Store, journal: journal);
        attachFirst?.Invoke(Server);
        Tracker.Attach(Server);
    }

    /// <summary>The loopback port the broker bound (port 0 asked, the port read back once it listens).</summary>
    public int Port { get; private set; }

    public MqttServer Server { get; }

    public SessionStore Store { get; }

    public SessionTracker Tracker { get; }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public static async Task<BrokerHarness> StartAsync(BrokerSettings? settings = null, Action<MqttServer>? attachFirst = null, ISessionJournal? journal = null)
    {
        var harness = new BrokerHarness(settings ?? new BrokerSettings(), attachFirst, journal);
        await harness.Server.StartAsync();
        harness.Port = BoundPort(harness._tcp);
        return harness;
    }

    public static QueueKey Key(string clientId) => new("", clientId);

    public MqttClientOptionsBuilder Options(string clientId, MqttProtocolVersion version = MqttProtocolVersion.V311, bool clean = false) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Port)
            .WithClientId(clientId)
            .WithProtocolVersion(version)
            .WithCleanSession(clean)
            .WithTimeout(TimeSpan.FromSeconds(10));

    public async Task<IMqttClient> ConnectAsync(MqttClientOptions options)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        lock (_clients)
        {
            _clients.Add(client);
        }
        await client.ConnectAsync(options, TestContext.Current.CancellationToken);
        return client;
    }

    public Task<IMqttClient> ConnectAsync(string clientId, MqttProtocolVersion version = MqttProtocolVersion.V311, bool clean = false) =>
        ConnectAsync(Options(clientId, version, clean).Build());

    /// <summary>
    /// Waits until the client's queue in the store satisfies a condition, woken by the store's own
    /// changes of that queue (<see cref="SessionStore.WaitUntilAsync"/>), for at most 15 seconds.
    /// </summary>
    public async Task<QueueState?> WaitForAsync(string clientId, Func<QueueState?, bool> condition, string because)
    {
        var key = Key(clientId);
        QueueState? seen = null;
        var met = await Store.WaitUntilAsync(key, queue =>
        {
            seen = queue;
            return condition(queue);
        }, TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        if (!met)
        {
            Assert.Fail($"Timed out waiting until {because}; the store has {Describe(seen)}");
        }
        // The state the condition held for, not a later one.
        return seen;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            try
            {
                if (client.IsConnected)
                {
                    await client.DisconnectAsync();
                }
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                // Already gone: some tests make the broker drop the client.
            }
            client.Dispose();
        }
        await Server.StopAsync();
        Server.Dispose();
        await Tracker.DisposeAsync();
        Assert.Empty(Errors);
    }

    private static string Describe(QueueState? queue) => queue is null
        ? "no queue"
        : $"{queue.StateName}, {queue.Sessions.Length} session(s), subs [{string.Join(", ", queue.Subscriptions.Select(s => s.Topic))}], {queue.Messages.Length} message(s)";

    /// <summary>
    /// The port MQTTnet's listener bound. MQTTnet 5.2 keeps it (read back from its socket after the bind) in
    /// private fields and reports it nowhere, so it is read by reflection; a release that renames them
    /// fails every test here at once, loudly, rather than testing against the wrong port.
    /// </summary>
    private static int BoundPort(MqttTcpServerAdapter tcp)
    {
        const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;
        var listeners = typeof(MqttTcpServerAdapter).GetField("_listeners", Private)?.GetValue(tcp) as System.Collections.IEnumerable
            ?? throw new InvalidOperationException("MQTTnet's TCP transport has no _listeners field: read its bound port another way");
        var endPoint = typeof(MqttTcpServerListener).GetField("_localEndPoint", Private)
            ?? throw new InvalidOperationException("MQTTnet's TCP listener has no _localEndPoint field: read its bound port another way");
        return listeners.Cast<MqttTcpServerListener>().Select(listener => endPoint.GetValue(listener)).OfType<IPEndPoint>()
            .Select(bound => bound.Port).FirstOrDefault(port => port > 0) is var port and > 0
            ? port
            : throw new InvalidOperationException("MQTTnet's TCP listener reports no bound port");
    }
}
