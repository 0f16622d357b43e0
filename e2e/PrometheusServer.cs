using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Dashboard.E2E;

/// <summary>
/// Debian's <c>prometheus</c> scraping one target every second, with its own temporary storage. It needs a
/// port in its command line, so a free one is found by binding port 0 and releasing it; when another
/// socket takes it in between, Prometheus exits and the start is tried again with a new port.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private const string Tool = "/usr/bin/prometheus";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dashboard-e2e-prometheus-" + Guid.NewGuid().ToString("N"));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (host:port) at <c>/metrics</c> with <paramref name="key"/> as the Basic user name.</summary>
    public static async Task<PrometheusServer> StartAsync(string target, string key)
    {
        if (!File.Exists(Tool))
        {
            throw new InvalidOperationException($"{Tool} is missing: install Debian's prometheus package (apt-get install -y prometheus); ./test.sh does this when it can.");
        }
        var server = new PrometheusServer();
        Directory.CreateDirectory(server._folder);
        var config = Path.Combine(server._folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: dashboard
                metrics_path: /metrics
                basic_auth:
                  username: "{key}"
                static_configs:
                  - targets: ["{target}"]
            """);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            if (await server.TryStartAsync(config))
            {
                return server;
            }
        }
        await server.DisposeAsync();
        throw new InvalidOperationException("prometheus did not start on a free port in 5 attempts.");
    }

    private async Task<bool> TryStartAsync(string config)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        BaseUrl = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo(Tool)
        {
            ArgumentList =
            {
                $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_folder, "data")}",
                $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            },
        };
        // Null when Prometheus exited first: most likely the port was taken in between; the caller tries another.
        _process = await ToolProcess.StartUntilReadyAsync(info, ReadyAsync, "prometheus on " + BaseUrl);
        return _process is not null;
    }

    private async Task<bool> ReadyAsync()
    {
        try
        {
            return (await _http.GetAsync(BaseUrl + "/-/ready")).IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>The values of an instant query's series (Prometheus's HTTP API, <c>/api/v1/query</c>).</summary>
    public async Task<IReadOnlyList<double>> QueryAsync(string expression)
    {
        using var response = await _http.GetAsync(BaseUrl + "/api/v1/query?query=" + Uri.EscapeDataString(expression));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"prometheus refused the query {expression}: {root}");
        }
        return [.. root.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(series => double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture))];
    }

    /// <summary>Waits (at most 60 s) until the query answers exactly <paramref name="expected"/>; returns the last answer.</summary>
    public async Task<IReadOnlyList<double>> WaitForAsync(string expression, params double[] expected)
    {
        IReadOnlyList<double> last = [];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            last = await QueryAsync(expression);
            if (last.SequenceEqual(expected))
            {
                break;
            }
            await Task.Delay(500);
        }
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _http.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
