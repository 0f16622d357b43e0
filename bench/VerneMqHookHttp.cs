using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Dashboard.Bench;

/// <summary>
/// The dashboard's webhook endpoint driven over real HTTP as fast as it answers (`vernemq-hooks-http`
/// mode). The cluster itself cannot produce hooks fast enough on two shared cores to show a ceiling
/// (`vernemq-hooks`, BENCHMARKS.md), so this bench posts what VerneMQ posts: the same path, the
/// <c>vernemq-hook</c> header, the same JSON bodies, over a pool of keep-alive HTTP/1.1 connections as
/// VerneMQ's HTTP client keeps one. Each client of the run goes through on_register, on_subscribe,
/// on_unsubscribe, on_client_offline and on_client_gone (five hooks) from one worker, in order, as one
/// session's hooks come. The dashboard answers 2xx only once a hook is applied to its store, so 2xx
/// answers per second are hooks applied per second. Afterwards the dashboard's own
/// <c>session show</c> must list none of the run's clients (every on_client_gone was applied).
/// Arguments: dashboard URL, webhook secret, node name (as in the registered endpoint), dashboard API
/// key (read scope), clients, connections.
/// </summary>
internal static class VerneMqHookHttp
{
    private static readonly string[] Hooks = ["on_register", "on_subscribe", "on_unsubscribe", "on_client_offline", "on_client_gone"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 6)
        {
            Console.Error.WriteLine("vernemq-hooks-http DASHBOARD_URL WEBHOOK_SECRET NODE API_KEY CLIENTS CONNECTIONS");
            return 2;
        }
        var dashboard = new Uri(args[0].TrimEnd('/') + "/");
        var secret = args[1];
        var node = args[2];
        var apiKey = args[3];
        var clients = int.Parse(args[4], CultureInfo.InvariantCulture);
        var connections = int.Parse(args[5], CultureInfo.InvariantCulture);
        var prefix = "hookhttp-" + Guid.NewGuid().ToString("N")[..6] + "-";
        var endpoint = new Uri(dashboard, $"vernemq/webhook/{Uri.EscapeDataString(node)}?secret={Uri.EscapeDataString(secret)}");

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30), DefaultRequestVersion = HttpVersion.Version11 };

        // Warm-up: one client's hooks, not counted (JIT, first connections).
        await OneClientAsync(http, endpoint, prefix + "warm", new List<double>(), new int[1]);

        var latencies = new List<double>[connections];
        var failures = new int[1];
        var next = -1;
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            latencies[w] = new List<double>();
            int index;
            while ((index = Interlocked.Increment(ref next)) < clients)
            {
                await OneClientAsync(http, endpoint, prefix + index.ToString(CultureInfo.InvariantCulture), latencies[w], failures);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        var hooks = clients * Hooks.Length;
        var sorted = latencies.SelectMany(l => l).Order().ToArray();

        // Every client's on_client_gone applied: the dashboard lists none of them.
        using var api = new HttpClient { BaseAddress = dashboard, Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Add("x-api-key", apiKey);
        var left = await api.GetStringAsync("api/v1/session/show?--client_id&--client_id=~" + Uri.EscapeDataString("^" + prefix));

        Console.WriteLine($"| clients | hooks | connections | failed | seconds | hooks/s | latency p50 / p99 / max ms | load before |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {clients:N0} | {hooks:N0} | {connections} | {failures[0]} | {seconds:F1} | {hooks / seconds:N0} | {P(sorted, 0.5):F1} / {P(sorted, 0.99):F1} / {sorted[^1]:F1} | {load} |"));
        Console.WriteLine($"clients of this run still listed by the dashboard afterwards: {left}");
        return failures[0] == 0 ? 0 : 1;
    }

    private static async Task OneClientAsync(HttpClient http, Uri endpoint, string clientId, List<double> latencies, int[] failures)
    {
        var port = 40_000 + (clientId.GetHashCode(StringComparison.Ordinal) & 0x3FFF);
        foreach (var hook in Hooks)
        {
            var body = hook switch
            {
                "on_register" => $$"""{"peer_addr":"127.0.0.1","peer_port":{{port}},"mountpoint":"","client_id":"{{clientId}}","username":"bench"}""",
                "on_subscribe" => $$"""{"username":"bench","mountpoint":"","client_id":"{{clientId}}","topics":[{"topic":"bench/{{clientId}}/#","qos":1}]}""",
                "on_unsubscribe" => $$"""{"username":"bench","mountpoint":"","client_id":"{{clientId}}","topics":["bench/{{clientId}}/#"]}""",
                _ => $$"""{"mountpoint":"","client_id":"{{clientId}}"}""",
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("vernemq-hook", hook);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures[0]);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref failures[0]);
            }
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static double P(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
