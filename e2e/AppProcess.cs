using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dashboard.Security;

namespace Dashboard.E2E;

/// <summary>
/// The dashboard as its own process on fixed free ports, so a test can stop it and start it again on
/// the same addresses (as after a real restart), which an in-process host cannot do.
/// </summary>
public sealed class AppProcess : IAsyncLifetime
{
    private Process? _process;

    public int HttpPort { get; } = FreePort();

    public int MqttPort { get; } = FreePort();

    public string BaseUrl => $"http://127.0.0.1:{HttpPort}";

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
        var start = new ProcessStartInfo("dotnet")
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
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        // Drain the app's output so it never blocks on a full pipe.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
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

    /// <summary>Kills the app (no graceful shutdown: the browser sees its connections drop).</summary>
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

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
