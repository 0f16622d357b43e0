using System.Net;
using System.Net.Sockets;
using Dashboard.Core.Broker;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using MQTTnet;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Server;

namespace Dashboard.Tests.Core.Broker;

/// <summary>A real MQTTnet broker on a free loopback port, feeding a store through the tracker.</summary>
internal sealed class BrokerHarness : IAsyncDisposable
{
    private readonly MqttNetEventLogger _mqttLog = new();
    private readonly List<string> _errors = [];
    private readonly List<IMqttClient> _clients = [];

    private BrokerHarness(BrokerSettings settings, Action<MqttServer>? attachFirst, ISessionJournal? journal)
    {
        // MQTTnet's own TCP listener does not report the port it bound for port 0, so a free port is
        // chosen here and StartAsync tries again with another when something took it in between.
        Port = FreePort();
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
            .WithDefaultEndpointPort(Port)).Build();
        Server = new MqttServerFactory().CreateMqttServer(options, _mqttLog);
        Store = new SessionStore("test@localhost");
        Tracker = new SessionTracker(Store, journal: journal);
        attachFirst?.Invoke(Server);
        Tracker.Attach(Server);
    }

    public int Port { get; }

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
        for (var attempt = 1; ; attempt++)
        {
            var harness = new BrokerHarness(settings ?? new BrokerSettings(), attachFirst, journal);
            try
            {
                await harness.Server.StartAsync();
                return harness;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
                // Another process bound the port between FreePort and the server's bind.
                harness.Server.Dispose();
                await harness.Tracker.DisposeAsync();
            }
        }
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
