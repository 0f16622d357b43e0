using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Dashboard.Bench;

/// <summary>A broker under test, started as a process of its own on 127.0.0.1.</summary>
internal abstract class BrokerProcess : IAsyncDisposable
{
    public abstract string Name { get; }

    public int Port { get; protected set; }

    /// <summary>The process that holds the broker's memory (for VerneMQ the Erlang VM, not the start script).</summary>
    public int Pid { get; protected set; }

    public abstract Task StartAsync();

    public abstract ValueTask DisposeAsync();

    public long Rss()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    protected static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    protected static string TempDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bench-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Starts a process whose output is drained (never blocks on a full pipe); each line goes to <paramref name="onLine"/>.</summary>
    protected static Process Start(ProcessStartInfo start, Action<string>? onLine = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                onLine?.Invoke(text);
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                onLine?.Invoke(text);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    protected static async Task StopAsync(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process?.Dispose();
    }

    /// <summary>Waits until the port accepts a TCP connection, or the process exits, or 60 s pass.</summary>
    protected static async Task<bool> WaitListeningAsync(int port, Process? process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process is { HasExited: true })
            {
                return false;
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        return false;
    }
}

/// <summary>The published dashboard (tracking and persistence on), as <c>e2e/AppProcess.cs</c> starts it.</summary>
internal sealed partial class DashboardBroker(string app, int queue, IReadOnlyList<string>? extraArguments = null, string? name = null) : BrokerProcess
{
    private static readonly Lock LogLock = new();
    private readonly string _data = TempDirectory("dashboard");
    private Process? _process;

    public override string Name => name ?? "dashboard (tracking + persistence)";

    public override async Task StartAsync()
    {
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                app, $"--Data:Path={_data}", "--Mqtt:Port=0", "--Mqtt:Address=127.0.0.1", "--Http:Port=0", "--Http:Address=127.0.0.1",
                "--Auth:AdminPassword=bench-admin-password", $"--Broker:MaxQueuedMessages={queue}",
            },
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(app))!,
        }.WithArguments(extraArguments ?? []), line =>
        {
            // BENCH_DASHBOARD_LOG=<file>: the app's own log lines, appended, to see what it did in a slow round.
            if (Environment.GetEnvironmentVariable("BENCH_DASHBOARD_LOG") is { Length: > 0 } log)
            {
                lock (LogLock)
                {
                    File.AppendAllText(log, DateTime.UtcNow.ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture) + line + Environment.NewLine);
                }
            }
            if (TlsListeningLine().Match(line) is { Success: true } tls)
            {
                TlsPort = int.Parse(tls.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        });
        var started = await Task.WhenAny(listening.Task, _process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (started != listening.Task)
        {
            throw new InvalidOperationException("The dashboard did not log where it listens within 60 s (or exited).");
        }
        Port = listening.Task.Result;
        Pid = _process.Id;
    }

    public override async ValueTask DisposeAsync()
    {
        await StopAsync(_process);
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>The MQTT over TLS port when the extra arguments turn it on (logged just after the plain listener's line); 0 until then.</summary>
    public int TlsPort { get; private set; }

    [GeneratedRegex(@"MQTT over TLS listening on mqtts://[^ ]+:(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex TlsListeningLine();

    [GeneratedRegex(@"MQTT broker listening on mqtt://[^ ]+:(\d+) .* dashboard at http://[^ ]+:(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex ListeningLine();
}

/// <summary>
/// A plain MQTTnet server in a process of its own (this bench's <c>plain-broker</c> mode), with server GC
/// like the dashboard (the web SDK's default), so the two differ only in tracking, persistence and Kestrel.
/// </summary>
internal sealed class PlainMqttNetBroker(int queue) : BrokerProcess
{
    private Process? _process;

    public override string Name => "plain MQTTnet 5";

    public override async Task StartAsync()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true };
            // Started as `dotnet Dashboard.Bench.dll` the process is dotnet itself, which needs the dll again.
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            {
                start.ArgumentList.Add(typeof(PlainMqttNetBroker).Assembly.Location);
            }
            foreach (var argument in (string[])["plain-broker", port.ToString(CultureInfo.InvariantCulture), queue.ToString(CultureInfo.InvariantCulture)])
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["DOTNET_gcServer"] = "1";
            var process = Start(start);
            if (await WaitListeningAsync(port, process))
            {
                (_process, Port, Pid) = (process, port, process.Id);
                return;
            }
            await StopAsync(process);
        }
        throw new InvalidOperationException("The plain MQTTnet broker did not start.");
    }

    public override async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await StopAsync(_process);
    }
}

/// <summary>Debian's mosquitto with a config of its own: 127.0.0.1 on a free port, anonymous, persistence in a temp dir.</summary>
internal sealed class MosquittoBroker(int queue) : BrokerProcess
{
    private readonly string _dir = TempDirectory("mosquitto");
    private Process? _process;

    public override string Name => "mosquitto 2.0 (Debian)";

    public override async Task StartAsync()
    {
        // mosquitto cannot report a port-0 bind: choose a free port and try again if another process took it.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = FreePort();
            var config = Path.Combine(_dir, "mosquitto.conf");
            await File.WriteAllTextAsync(config, $"""
                listener {port} 127.0.0.1
                allow_anonymous true
                persistence true
                persistence_location {_dir}/
                max_queued_messages {queue}
                """ + "\n");
            var process = Start(new ProcessStartInfo("mosquitto") { ArgumentList = { "-c", config } });
            if (await WaitListeningAsync(port, process))
            {
                (_process, Port, Pid) = (process, port, process.Id);
                return;
            }
            await StopAsync(process);
        }
        throw new InvalidOperationException("mosquitto did not start (is it installed? apt-get install -y mosquitto).");
    }

    public override async ValueTask DisposeAsync()
    {
        await StopAsync(_process);
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>
/// VerneMQ 2.1.2, one node, from <c>../shared/vernemq</c> (extracted into a temp VMQ_HOME by its
/// <c>start-node.sh</c>), anonymous clients allowed, webhooks off (no hooks are registered anyway).
/// </summary>
internal sealed class VerneMqBroker(string shared, int queue) : BrokerProcess
{
    private readonly string _home = TempDirectory("vernemq");
    private bool _epmdWasRunning;

    public override string Name => "VerneMQ 2.1.2 (1 node)";

    private string NodeDir => Path.Combine(_home, "vmq1");

    public override async Task StartAsync()
    {
        _epmdWasRunning = (await RunAsync("pgrep", "-x", "epmd")).Code == 0;
        int port = FreePort(), http = FreePort(), cluster = FreePort(), dist = FreePort();
        var script = Path.GetFullPath(Path.Combine(shared, "start-node.sh"));
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList =
            {
                script, "vmqbench", NodeDir, port.ToString(CultureInfo.InvariantCulture), http.ToString(CultureInfo.InvariantCulture),
                cluster.ToString(CultureInfo.InvariantCulture), dist.ToString(CultureInfo.InvariantCulture),
            },
        };
        start.Environment["VMQ_HOME"] = Path.Combine(_home, "vernemq");
        start.Environment["VMQ_TARBALL"] = Path.GetFullPath(Path.Combine(shared, "vernemq-2.1.2-debian12-otp25.tar.gz"));
        start.Environment["VMQ_WEBHOOKS"] = "off";
        start.Environment["VMQ_ALLOW_ANONYMOUS"] = "on";
        var extra = Path.Combine(_home, "extra.conf");
        await File.WriteAllTextAsync(extra, $"max_online_messages = {queue}\nmax_offline_messages = {queue}\n");
        start.Environment["VMQ_EXTRA_CONF"] = extra;
        var (code, output) = await RunAsync(start, TimeSpan.FromMinutes(3));
        if (code != 0)
        {
            throw new InvalidOperationException($"VerneMQ did not start ({code}): {output}");
        }
        var (_, pid) = await RunAsync(Path.Combine(NodeDir, "bin", "vernemq"), "getpid");
        Port = port;
        Pid = int.Parse(pid.Trim(), CultureInfo.InvariantCulture);
        if (!await WaitListeningAsync(port, null))
        {
            throw new InvalidOperationException("VerneMQ started but does not listen.");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await RunAsync(new ProcessStartInfo(Path.Combine(NodeDir, "bin", "vernemq")) { ArgumentList = { "stop" } }, TimeSpan.FromMinutes(1));
        if (!_epmdWasRunning)
        {
            // The node started epmd, which outlives it: stop that one (by its id), never anyone else's.
            var (code, pids) = await RunAsync("pgrep", "-f", $"{_home}/.*epmd");
            if (code == 0)
            {
                foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    using var epmd = Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture));
                    epmd.Kill();
                }
            }
        }
        Directory.Delete(_home, recursive: true);
    }

    private static Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return RunAsync(start, TimeSpan.FromSeconds(30));
    }

    private static async Task<(int Code, string Output)> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        var output = new System.Text.StringBuilder();
        using var process = Start(start, line =>
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        });
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        // Let the asynchronous readers see the last lines.
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}

internal static class ProcessStartInfoExtensions
{
    public static ProcessStartInfo WithArguments(this ProcessStartInfo start, IEnumerable<string> arguments)
    {
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }
}
