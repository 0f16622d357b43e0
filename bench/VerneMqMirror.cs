using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dashboard.Core.Store;
using Dashboard.Core.VerneMq;
using Dashboard.Hosting;
using Dashboard.VerneMq;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace Dashboard.Bench;

/// <summary>
/// The VerneMQ mirror against a running cluster (`vernemq-mirror` mode): loads it with offline
/// persistent sessions of three subscriptions each, then times what a full resync does (three session
/// show reads, building the queues, applying them as differences) on an empty store and again on a
/// full one, and how fast hooks are applied (the part of a webhook call after Kestrel hands it over).
/// Arguments: mqtt ports (comma-separated), http ports, API key, sessions.
/// </summary>
internal static class VerneMqMirror
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("vernemq-mirror MQTT_PORTS HTTP_PORTS API_KEY [SESSIONS=10000]  (ports comma-separated, one per node)");
            return 2;
        }
        var mqttPorts = args[0].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var nodeUrls = args[1].Split(',').Select(p => new Uri($"http://127.0.0.1:{p}")).ToArray();
        var sessions = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10_000;
        var settings = new VerneMqSettings { NodeUrls = nodeUrls, ApiKey = args[2], WebhookSecret = "bench-secret-0123456789" };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        var client = new VerneMqClient(http, settings);

        var clock = Stopwatch.StartNew();
        await LoadAsync(mqttPorts, sessions);
        Console.WriteLine($"loaded {sessions} offline sessions x 3 subscriptions over {mqttPorts.Length} nodes in {clock.Elapsed.TotalSeconds:0.0} s");

        var store = new SessionStore("vernemq");
        for (var round = 1; round <= 3; round++)
        {
            var (read, build, apply, queues, version) = await ResyncAsync(client, nodeUrls[0], store);
            Console.WriteLine($"resync {round}: {queues} queues; read {read:0} ms, build {build:0} ms, apply {apply:0} ms, total {read + build + apply:0} ms; store version {version}");
        }

        var source = new VerneMqSource(settings, client, new VerneMqNodes(), store, new HttpEndpoint(), new Lifetime(), TimeProvider.System, NullLogger<VerneMqSource>.Instance);
        var hooks = Enumerable.Range(0, sessions).Select(i => JsonDocument.Parse(
            $"{{\"mountpoint\":\"\",\"client_id\":\"bench-{i}\",\"username\":null,\"topics\":[{{\"topic\":\"bench/{i}/extra\",\"qos\":1}}]}}").RootElement).ToArray();
        clock.Restart();
        foreach (var hook in hooks)
        {
            source.ApplyHook("node", "on_subscribe", hook);
        }
        var rate = hooks.Length / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"hooks: {hooks.Length} on_subscribe applied in {clock.Elapsed.TotalMilliseconds:0} ms = {rate:0} per second");
        return 0;
    }

    private static async Task<(double Read, double Build, double Apply, int Queues, long Version)> ResyncAsync(VerneMqClient client, Uri node, SessionStore store)
    {
        var clock = Stopwatch.StartNew();
        // As the source does: message details only up to VerneMQ:MessageDetailsUpTo queues (its default here).
        var queues = client.ApiAsync(node, "session/show", VerneMqSessions.QueryString(VerneMqSessions.QueueFields), default);
        var subscriptions = client.ApiAsync(node, "session/show", VerneMqSessions.QueryString(VerneMqSessions.SubscriptionFields), default);
        var answers = (await queues, await subscriptions, default(JsonElement));
        if (VerneMqSessions.QueuesWithMessages(answers.Item1) > 0 && VerneMqSessions.Rows(answers.Item1).Count() <= VerneMqSettings.DefaultMessageDetailsUpTo)
        {
            answers.Item3 = await client.ApiAsync(node, "session/show", VerneMqSessions.QueryString(VerneMqSessions.MessageFields), default);
        }
        var read = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var mirror = VerneMqSessions.Build(answers.Item1, answers.Item2, answers.Item3);
        var build = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        store.Apply([.. mirror.Select(pair => (StoreEvent)new QueueMirrored(pair.Key, pair.Value))]);
        return (read, build, clock.Elapsed.TotalMilliseconds, mirror.Count, store.Version);
    }

    private static async Task LoadAsync(int[] ports, int sessions)
    {
        var factory = new MqttClientFactory();
        await Parallel.ForEachAsync(Enumerable.Range(0, sessions), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, cancel) =>
        {
            using var mqtt = factory.CreateMqttClient();
            await mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", ports[i % ports.Length])
                .WithClientId($"bench-{i}").WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).WithCleanSession(false).WithTimeout(TimeSpan.FromSeconds(30)).Build(), cancel);
            await mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter($"bench/{i}/a", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter($"bench/{i}/b/#", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter($"bench/shared/{i % 100}", MqttQualityOfServiceLevel.AtMostOnce).Build(), cancel);
            await mqtt.DisconnectAsync(cancellationToken: cancel);
        });
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
