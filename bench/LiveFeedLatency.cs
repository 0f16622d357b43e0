using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dashboard.Core.Live;
using Microsoft.AspNetCore.SignalR.Client;
using MQTTnet;

namespace Dashboard.Bench;

/// <summary>
/// Latency from an MQTT client's CONNECT or DISCONNECT at the broker to the change arriving at a
/// SignalR client of <c>/hubs/sessions</c>, coalescing window included, against the real app in its
/// own process. Also samples the app's resident memory while it runs.
/// </summary>
/// <remarks>
/// <c>live-latency [--app=path/Dashboard.dll] [--rates=100,1000] [--seconds=20]</c>. Each rate is in
/// changes per second: every operation is one connect or one disconnect of a clean-session client from
/// a pool large enough that a client stays in each state for about half a second (longer than the
/// window, so its changes are not folded away and each one can be timed).
/// </remarks>
internal static class LiveFeedLatency
{
    // The hub needs an API key; the bench gives the app one and uses it.
    private const string ApiKey = "bench-read-key";

    public static async Task<int> RunAsync(string[] args)
    {
        var app = Arg(args, "app") ?? FindApp();
        var rates = (Arg(args, "rates") ?? "100,1000").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
        var seconds = int.Parse(Arg(args, "seconds") ?? "20", CultureInfo.InvariantCulture);
        Console.WriteLine($"app: {app}");
        Console.WriteLine($"{Environment.ProcessorCount} cores, {seconds} s per rate after 3 s warm-up");
        Console.WriteLine("| changes/s | samples | p50 ms | p90 ms | p99 ms | max ms | not seen | app RSS start → end MB |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var rate in rates)
        {
            await RunRateAsync(app, rate, seconds);
        }
        return 0;
    }

    private static async Task RunRateAsync(string app, int rate, int seconds)
    {
        int httpPort = FreePort(), mqttPort = FreePort();
        using var process = StartApp(app, httpPort, mqttPort);
        try
        {
            await WaitUpAsync(httpPort);
            var started = new ConcurrentDictionary<(string Client, Presence Presence), long>();
            var latencies = new ConcurrentBag<double>();
            var measuring = 0;
            await using var hub = new HubConnectionBuilder().WithUrl($"http://127.0.0.1:{httpPort}/hubs/sessions", o => o.Headers["x-api-key"] = ApiKey).Build();
            hub.On<SessionChangesMessage>(nameof(ISessionsClient.Changes), batch =>
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var change in batch.Changes)
                {
                    if (change.Presence is { } presence && started.TryRemove((change.ClientId, presence), out var at) && Volatile.Read(ref measuring) == 1)
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                    }
                }
            });
            await hub.StartAsync();

            var pool = Math.Max(10, rate / 2);
            var clients = new MqttBenchClient[pool];
            var factory = new MqttClientFactory();
            for (var i = 0; i < pool; i++)
            {
                clients[i] = new MqttBenchClient(factory.CreateMqttClient(),
                    new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mqttPort).WithClientId($"bench-{i}").WithCleanSession().Build());
            }

            var rssStart = 0L;
            var warmup = TimeSpan.FromSeconds(3);
            var total = warmup + TimeSpan.FromSeconds(seconds);
            var clock = Stopwatch.StartNew();
            long op = 0, skipped = 0;
            while (clock.Elapsed < total)
            {
                if (Volatile.Read(ref measuring) == 0 && clock.Elapsed >= warmup)
                {
                    started.Clear();
                    rssStart = Rss(process.Id);
                    Volatile.Write(ref measuring, 1);
                }
                var due = (long)(clock.Elapsed.TotalSeconds * rate);
                for (; op < due; op++)
                {
                    if (!clients[op % pool].TryToggle(started))
                    {
                        skipped++;
                    }
                }
                await Task.Delay(1);
            }
            // Let the last window and sends arrive before counting what was never seen.
            await Task.Delay(1000);
            Volatile.Write(ref measuring, 0);
            var rssEnd = Rss(process.Id);
            var sorted = latencies.Order().ToArray();
            var notSeen = started.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {rate} | {sorted.Length} | {P(sorted, 0.50):F1} | {P(sorted, 0.90):F1} | {P(sorted, 0.99):F1} | {(sorted.Length == 0 ? 0 : sorted[^1]):F1} | {notSeen} | {rssStart / 1048576} → {rssEnd / 1048576} |"));
            if (skipped > 0)
            {
                Console.WriteLine($"  ({skipped} operations skipped because that client's previous one had not finished)");
            }
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static double P(double[] sorted, double quantile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];

    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static string? Arg(string[] args, string name) =>
        args.FirstOrDefault(a => a.StartsWith($"--{name}=", StringComparison.Ordinal))?[(name.Length + 3)..];

    private static string FindApp()
    {
        foreach (var configuration in new[] { "Release", "Debug" })
        {
            var path = Path.GetFullPath(Path.Combine("Dashboard", "bin", configuration, "net10.0", "Dashboard.dll"));
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new InvalidOperationException("Build the app first (dotnet build Dashboard -c Release) or pass --app=path/Dashboard.dll.");
    }

    private static Process StartApp(string app, int httpPort, int mqttPort)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { app, $"--Http:Port={httpPort}", $"--Mqtt:Port={mqttPort}", "--Logging:LogLevel:Default=Warning", $"--Api:Keys:0:Key={ApiKey}", "--Api:Keys:0:Scope=read" },
            WorkingDirectory = Path.GetDirectoryName(app)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUpAsync(int httpPort)
    {
        using var http = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{httpPort}/")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The app did not start.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>One pooled MQTT client that alternates between connecting and disconnecting.</summary>
    private sealed class MqttBenchClient(IMqttClient client, MqttClientOptions options) : IDisposable
    {
        private int _busy;
        private bool _connected;

        public bool TryToggle(ConcurrentDictionary<(string, Presence), long> started)
        {
            if (Interlocked.Exchange(ref _busy, 1) == 1)
            {
                return false;
            }
            _ = ToggleAsync(started);
            return true;
        }

        private async Task ToggleAsync(ConcurrentDictionary<(string, Presence), long> started)
        {
            try
            {
                started[(options.ClientId, _connected ? Presence.Offline : Presence.Online)] = Stopwatch.GetTimestamp();
                if (_connected)
                {
                    await client.DisconnectAsync();
                }
                else
                {
                    await client.ConnectAsync(options);
                }
                _connected = !_connected;
            }
            catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                _connected = client.IsConnected;
            }
            finally
            {
                Volatile.Write(ref _busy, 0);
            }
        }

        public void Dispose() => client.Dispose();
    }
}
