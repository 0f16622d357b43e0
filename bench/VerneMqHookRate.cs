using System.Diagnostics;
using System.Globalization;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.Bench;

/// <summary>
/// Webhooks applied per second over real HTTP from a real cluster (`vernemq-hooks` mode): a burst of
/// clean-session MQTT 3.1.1 clients connecting round-robin to the nodes, each subscribing once and leaving
/// (on_client_wakeup, on_register, on_subscribe, on_client_gone: four hooks each), while the nodes' own
/// webhook counters (<c>vernemq_webhooks_*_requests</c> and <c>_errors</c> on <c>/metrics</c>) are read every
/// 250 ms. A request VerneMQ counts without an error got the dashboard's 2xx answer, which comes after the
/// hook was applied to the store (docs/vernemq.md), so requests minus errors are hooks applied. The rate is
/// bounded by how fast the cluster produces hooks as much as by the dashboard: it says what the dashboard
/// kept up with, not its ceiling (the in-process figure is in BENCHMARKS.md). Only one dashboard may have
/// hooks registered on the cluster during the run.
/// Arguments: the nodes' HTTP URLs and MQTT ports (comma-separated, same order), clients, clients at once.
/// </summary>
internal static class VerneMqHookRate
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("vernemq-hooks NODE_HTTP_URLS MQTT_PORTS CLIENTS CONCURRENCY");
            return 2;
        }
        var nodes = args[0].Split(',').Select(u => new Uri(u)).ToArray();
        var ports = args[1].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var clients = int.Parse(args[2], CultureInfo.InvariantCulture);
        var concurrency = int.Parse(args[3], CultureInfo.InvariantCulture);
        var prefix = "hooks-" + Guid.NewGuid().ToString("N")[..6] + "-";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var before = await CountersAsync(http, nodes);
        var samples = new List<(double Seconds, long Applied, long Errors)> { (0, 0, 0) };
        var clock = Stopwatch.StartNew();
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            try
            {
                while (await timer.WaitForNextTickAsync(stopSampling.Token))
                {
                    var now = await CountersAsync(http, nodes);
                    lock (samples)
                    {
                        samples.Add((clock.Elapsed.TotalSeconds, now.Requests - now.Errors - (before.Requests - before.Errors), now.Errors - before.Errors));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var factory = new MqttClientFactory();
        using var gate = new SemaphoreSlim(concurrency);
        var failed = 0;
        var burst = Enumerable.Range(0, clients).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var client = factory.CreateMqttClient();
                var id = prefix + i.ToString(CultureInfo.InvariantCulture);
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", ports[i % ports.Length]).WithClientId(id)
                    .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(true).WithTimeout(TimeSpan.FromSeconds(30)).Build());
                await client.SubscribeAsync(id + "/t");
                await client.DisconnectAsync();
            }
            catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                Interlocked.Increment(ref failed);
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(burst);
        var clientsDone = clock.Elapsed.TotalSeconds;
        // Hooks still in flight: read on until the counters stand still for a second.
        var expected = 4L * (clients - failed);
        var settled = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < settled)
        {
            await Task.Delay(1000);
            lock (samples)
            {
                if (samples.Count > 5 && samples[^1].Applied == samples[^5].Applied)
                {
                    break;
                }
            }
        }
        await stopSampling.CancelAsync();
        await sampler;

        var (applied, errors) = (samples[^1].Applied, samples[^1].Errors);
        // The burst's span: from the first connect until the last counted hook.
        var last = samples.First(s => s.Applied == applied).Seconds;
        var peak = 0.0;
        for (var i = 0; i < samples.Count; i++)
        {
            var j = samples.FindIndex(i, s => s.Seconds >= samples[i].Seconds + 1.0);
            if (j > 0)
            {
                peak = Math.Max(peak, (samples[j].Applied - samples[i].Applied) / (samples[j].Seconds - samples[i].Seconds));
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{clients} clients ({failed} failed to connect), {concurrency} at once over {nodes.Length} nodes: {applied} hooks applied (expected {expected}), {errors} errors; " +
            $"clients done in {clientsDone:0.0} s, last hook counted by {last:0.00} s: {applied / last:0} hooks/s on average, peak {peak:0} hooks/s over 1 s"));
        return 0;
    }

    /// <summary>The sums of the nodes' webhook request and error counters.</summary>
    private static async Task<(long Requests, long Errors)> CountersAsync(HttpClient http, Uri[] nodes)
    {
        long requests = 0, errors = 0;
        foreach (var node in nodes)
        {
            var text = await http.GetStringAsync(new Uri(node, "/metrics"));
            foreach (var line in text.Split('\n'))
            {
                // Prometheus names: vernemq_webhooks_<hook>_requests{node="..."} N
                if (!line.StartsWith("vernemq_webhooks_", StringComparison.Ordinal))
                {
                    continue;
                }
                var name = line[..line.IndexOfAny([' ', '{'])];
                var value = long.Parse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
                if (name.EndsWith("_requests", StringComparison.Ordinal))
                {
                    requests += value;
                }
                else if (name.EndsWith("_errors", StringComparison.Ordinal))
                {
                    errors += value;
                }
            }
        }
        return (requests, errors);
    }
}
