using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dashboard.Core.Broker;
using Dashboard.Core.Store;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Dashboard.Bench;

/// <summary>
/// The cost of session tracking: the same load against a plain MQTTnet broker and one with the
/// <see cref="SessionTracker"/> attached, alternating, in one run (`broker` mode).
/// </summary>
internal static class BrokerThroughput
{
    private const int Rounds = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var clients = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var messages = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        Console.WriteLine($"Broker throughput: {clients} connects, {messages} QoS 1 messages to 4 subscribers ({messages * 4} deliveries), {Rounds} rounds, best of each");
        var results = new Dictionary<bool, List<(double Connects, double Deliveries)>> { [false] = [], [true] = [] };
        Console.WriteLine("warm-up (not counted):");
        await MeasureAsync(false, clients, messages);
        await MeasureAsync(true, clients, messages);
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var tracked in new[] { false, true })
            {
                results[tracked].Add(await MeasureAsync(tracked, clients, messages));
            }
        }
        var plain = (Connects: results[false].Max(r => r.Connects), Deliveries: results[false].Max(r => r.Deliveries));
        var withTracking = (Connects: results[true].Max(r => r.Connects), Deliveries: results[true].Max(r => r.Deliveries));
        Console.WriteLine($"| broker | connects/s | QoS 1 deliveries/s |");
        Console.WriteLine($"|---|---|---|");
        Console.WriteLine($"| plain MQTTnet | {plain.Connects:N0} | {plain.Deliveries:N0} |");
        Console.WriteLine($"| with session tracking | {withTracking.Connects:N0} | {withTracking.Deliveries:N0} |");
        Console.WriteLine($"| cost of tracking | {Cost(plain.Connects, withTracking.Connects)} | {Cost(plain.Deliveries, withTracking.Deliveries)} |");
        return 0;
    }

    private static string Cost(double plain, double tracked) => ((plain - tracked) / plain).ToString("P1", CultureInfo.InvariantCulture);

    private static async Task<(double Connects, double Deliveries)> MeasureAsync(bool tracked, int clientCount, int messageCount)
    {
        var port = FreePort();
        var options = new BrokerSettings().Configure(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port)).Build();
        using var server = new MqttServerFactory().CreateMqttServer(options);
        var store = new SessionStore("bench@localhost");
        await using var tracker = new SessionTracker(store);
        if (tracked)
        {
            tracker.Attach(server);
        }
        await server.StartAsync();
        var factory = new MqttClientFactory();
        MqttClientOptions Options(string id) => new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(id)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).WithCleanSession(false).Build();

        // Connects: many clients at once, as after a broker restart.
        var connecting = Enumerable.Range(0, clientCount).Select(_ => factory.CreateMqttClient()).ToList();
        using var gate = new SemaphoreSlim(32);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(connecting.Select(async (client, i) =>
        {
            await gate.WaitAsync();
            try
            {
                await client.ConnectAsync(Options($"c{i}"));
            }
            finally
            {
                gate.Release();
            }
        }));
        var connects = clientCount / watch.Elapsed.TotalSeconds;
        foreach (var client in connecting)
        {
            await client.DisconnectAsync();
            client.Dispose();
        }

        // Deliveries: 4 subscribers on a wildcard, 2 publishers sending QoS 1.
        var subscribers = new List<IMqttClient>();
        var delivered = 0;
        var expected = messageCount * 4;
        var allDelivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < 4; i++)
        {
            var subscriber = factory.CreateMqttClient();
            subscriber.ApplicationMessageReceivedAsync += _ =>
            {
                if (Interlocked.Increment(ref delivered) == expected)
                {
                    allDelivered.TrySetResult();
                }
                return Task.CompletedTask;
            };
            await subscriber.ConnectAsync(Options($"sub{i}"));
            await subscriber.SubscribeAsync("bench/#", MqttQualityOfServiceLevel.AtLeastOnce);
            subscribers.Add(subscriber);
        }
        var publishers = new List<IMqttClient>();
        for (var i = 0; i < 2; i++)
        {
            var publisher = factory.CreateMqttClient();
            await publisher.ConnectAsync(Options($"pub{i}"));
            publishers.Add(publisher);
        }
        var payload = new byte[64];
        watch.Restart();
        await Task.WhenAll(publishers.Select(async (publisher, p) =>
        {
            for (var m = p; m < messageCount; m += publishers.Count)
            {
                await publisher.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic($"bench/{m % 100}").WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }
        }));
        await allDelivered.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var deliveries = expected / watch.Elapsed.TotalSeconds;
        await tracker.DrainAsync();
        var queues = store.Counters.Queues;
        foreach (var client in subscribers.Concat(publishers))
        {
            await client.DisconnectAsync();
            client.Dispose();
        }
        await server.StopAsync();
        Console.WriteLine($"  {(tracked ? "tracked" : "plain  ")}: {connects,10:N0} connects/s {deliveries,10:N0} deliveries/s (store has {queues} queues)");
        return (connects, deliveries);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
