using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Dashboard.Security;

namespace Dashboard.E2E;

/// <summary>
/// The dashboard as its own process. The first start binds port 0 and reads the ports back from the
/// app's own "listening" log line; later starts reuse them (unless <see cref="KeepPorts"/> is false), so a
/// test can stop the app and start it again on the same addresses (as after a real restart), which an
/// in-process host cannot do.
/// </summary>
public class AppProcess : IAsyncLifetime
{
    private static readonly Regex ListeningLine = new(@"MQTT broker listening on mqtt://(?:[^:]+:(\d+)|off) .* dashboard at https?://[^:]+:(\d+)", RegexOptions.CultureInvariant);

    // With Source:Kind=VerneMQ there is no broker: only the dashboard's address.
    private static readonly Regex MirrorListeningLine = new(@"Dashboard at http://[^:]+:(\d+), mirroring the VerneMQ nodes", RegexOptions.CultureInvariant);

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();
    private Process? _process;
    private TaskCompletionSource<(int Mqtt, int Http)>? _listening;

    public int HttpPort { get; private set; }

    public int MqttPort { get; private set; }

    /// <summary>The process id of the running app; 0 when it is stopped.</summary>
    public int ProcessId => _process is { HasExited: false } process ? process.Id : 0;

    /// <summary>Settings added to the command line by a derived fixture.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    /// <summary>A program and its arguments that run <c>dotnet</c> (for example <c>setpriv</c> taking capabilities away); none by default.</summary>
    protected virtual IReadOnlyList<string> Launcher => [];

    /// <summary>Whether a start after the first reuses the first one's ports; otherwise each start picks new ones.</summary>
    protected virtual bool KeepPorts => true;

    /// <summary>Whether a derived fixture serves the dashboard over HTTPS (<c>Http:Certificate</c>).</summary>
    protected virtual bool Https => false;

    public string BaseUrl => $"{(Https ? "https" : "http")}://127.0.0.1:{HttpPort}";

    /// <summary>The app's standard output so far (the last 5,000 lines, across restarts).</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>A wall-screen token of this app, made before its first start in the database it will use.</summary>
    public string WallToken { get; private set; } = "";

    // Kept across StopAsync/StartAsync, as a real restart keeps its data; deleted on dispose.
    public string DataPath { get; } = Path.Combine(Path.GetTempPath(), "dashboard-e2e-process-" + Guid.NewGuid().ToString("N"));

    public async ValueTask InitializeAsync()
    {
        // Written straight into the database the app will open, as an admin would create it in the UI.
        using (var database = new SecurityDatabase(DataPath))
        {
            WallToken = new WallTokenStore(database, new AuditLog(database, TimeProvider.System), TimeProvider.System)
                .Create("e2e-tv", "e2e").Value.Secret;
        }
        await StartAsync();
    }

    /// <summary>Starts the app and waits until it answers HTTP.</summary>
    public async Task StartAsync()
    {
        // The referenced app is copied beside the tests with its runtime config and static asset manifest.
        var dll = Path.Combine(AppContext.BaseDirectory, "Dashboard.dll");
        if (!KeepPorts)
        {
            (HttpPort, MqttPort) = (0, 0);
        }
        var start = new ProcessStartInfo(Launcher.Count > 0 ? Launcher[0] : "dotnet")
        {
            ArgumentList =
            {
                dll, $"--Http:Port={HttpPort}", "--Http:Address=127.0.0.1", $"--Mqtt:Port={MqttPort}",
                "--Mqtt:Address=127.0.0.1", "--Broker:NodeName=wall-e2e@127.0.0.1", $"--Data:Path={DataPath}",
                "--Auth:AdminPassword=e2e-admin-password",
            },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in ExtraArguments)
        {
            start.ArgumentList.Add(argument);
        }
        if (Launcher.Count > 0)
        {
            // The launcher's own arguments, then dotnet, then the app's.
            foreach (var (argument, index) in Launcher.Skip(1).Append("dotnet").Select((a, i) => (a, i)))
            {
                start.ArgumentList.Insert(index, argument);
            }
        }
        var listening = _listening = new TaskCompletionSource<(int, int)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        // Drain the app's output so it never blocks on a full pipe; the listening line gives the ports.
        _process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not { } text)
            {
                return;
            }
            _output.Enqueue(text);
            while (_output.Count > 5_000 && _output.TryDequeue(out string? _))
            {
            }
            if (ListeningLine.Match(text) is { Success: true } match)
            {
                // "mqtt://off": MQTT over TLS only (Mqtt:Plain=false).
                listening.TrySetResult((match.Groups[1].Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
                    int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)));
            }
            else if (MirrorListeningLine.Match(text) is { Success: true } mirror)
            {
                listening.TrySetResult((0, int.Parse(mirror.Groups[1].Value, CultureInfo.InvariantCulture)));
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var started = await Task.WhenAny(listening.Task, _process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (started != listening.Task)
        {
            throw new InvalidOperationException(_process.HasExited
                ? $"The dashboard exited with code {_process.ExitCode} while starting."
                : "The dashboard did not log where it listens within 60 s.");
        }
        (MqttPort, HttpPort) = listening.Task.Result;

        // Only "does it answer": the HTTPS tests check the certificate themselves.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The dashboard exited with code {_process.ExitCode} while starting.");
            }
            try
            {
                if ((await http.GetAsync(BaseUrl + "/login")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The dashboard did not answer on {BaseUrl} within 60 s.");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Kills the app with SIGKILL (no graceful shutdown: the browser sees its connections drop).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    public virtual async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
