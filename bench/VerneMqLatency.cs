using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dashboard.Core.Live;
using Microsoft.AspNetCore.SignalR.Client;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.Bench;

/// <summary>
/// How long a VerneMQ change takes to reach a live-feed client of a running dashboard with
/// <c>Source:Kind=VerneMQ</c> (`vernemq-latency` mode): a client connects to a VerneMQ node, and the time
/// until the hub's Changes batch says it is online is taken; then the same for going offline.
/// Arguments: dashboard URL, dashboard API key, a node's MQTT port, number of clients, optional
/// background load (connects per second to the other port) as PORT:RATE.
/// </summary>
internal static class VerneMqLatency
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("vernemq-latency DASHBOARD_URL API_KEY MQTT_PORT CLIENTS [LOAD_PORT:CONNECTS_PER_SECOND]");
            return 2;
        }
        var url = new Uri(args[0]);
        var port = int.Parse(args[2], CultureInfo.InvariantCulture);
        var clients = int.Parse(args[3], CultureInfo.InvariantCulture);
        var prefix = "lat-" + Guid.NewGuid().ToString("N")[..6] + "-";
        var seen = new ConcurrentDictionary<string, TaskCompletionSource<long>>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(url, "/hubs/sessions?q=" + Uri.EscapeDataString($"--client_id=~^{prefix}")), o => o.Headers["x-api-key"] = args[1])
            .Build();
        hub.On<SessionSnapshotMessage>(nameof(ISessionsClient.Snapshot), _ => { });
        hub.On<SessionCountersMessage>(nameof(ISessionsClient.Counters), _ => { });
        hub.On<SessionChangesMessage>(nameof(ISessionsClient.Changes), batch =>
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var change in batch.Changes)
            {
                if (change.Presence is { } presence && seen.TryGetValue(change.ClientId + "/" + presence, out var waiting))
                {
                    waiting.TrySetResult(now);
                }
            }
        });
        await hub.StartAsync();

        using var load = new CancellationTokenSource();
        var background = args.Length > 4 ? Task.Run(() => LoadAsync(args[4], prefix, load.Token)) : Task.CompletedTask;
        var online = new List<double>();
        var offline = new List<double>();
        var factory = new MqttClientFactory();
        for (var i = 0; i < clients; i++)
        {
            var id = prefix + i.ToString(CultureInfo.InvariantCulture);
            var up = seen[id + "/" + Presence.Online] = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var down = seen[id + "/" + Presence.Offline] = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var client = factory.CreateMqttClient();
            var started = Stopwatch.GetTimestamp();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(id)
                .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(false).Build());
            online.Add(Stopwatch.GetElapsedTime(started, await up.Task.WaitAsync(TimeSpan.FromSeconds(30))).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            await client.DisconnectAsync();
            offline.Add(Stopwatch.GetElapsedTime(started, await down.Task.WaitAsync(TimeSpan.FromSeconds(30))).TotalMilliseconds);
        }
        await load.CancelAsync();
        await background;
        Console.WriteLine($"{clients} clients; connect→online on the hub: {Summary(online)}; disconnect→offline: {Summary(offline)}");
        return 0;
    }

    /// <summary>p50, p99 and max of some milliseconds.</summary>
    internal static string Summary(List<double> values)
    {
        values.Sort();
        double At(double q) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(q * values.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.5):0} ms, p99 {At(0.99):0} ms, max {values[^1]:0} ms");
    }

    /// <summary>Clean-session clients connecting and leaving at a steady rate on another node, to keep the hooks busy.</summary>
    private static async Task LoadAsync(string spec, string prefix, CancellationToken cancel)
    {
        var parts = spec.Split(':');
        var port = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var rate = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var factory = new MqttClientFactory();
        var n = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / rate));
        try
        {
            while (await timer.WaitForNextTickAsync(cancel))
            {
                var id = prefix.Replace("lat-", "load-", StringComparison.Ordinal) + n++;
                _ = Task.Run(async () =>
                {
                    using var client = factory.CreateMqttClient();
                    await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(id)
                        .WithProtocolVersion(MqttProtocolVersion.V311).Build());
                    await client.DisconnectAsync();
                }, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
