using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Dashboard.E2E;

/// <summary>
/// Debian's nginx as a TLS-terminating proxy, running the configuration of docs/nginx/mqtt-dashboard.conf
/// with the test's own port, certificate and upstream. It connects to the app from 127.0.0.2
/// (<c>proxy_bind</c>) while clients reach it from 127.0.0.1, so the app can tell the proxy's address from
/// the client's. nginx needs its port in the configuration: a free one is found by binding port 0 and
/// releasing it; when another socket takes it in between nginx exits and the start is tried again.
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    private const string Tool = "/usr/sbin/nginx";

    /// <summary>The address nginx connects to the app from.</summary>
    public const string ProxyAddress = "127.0.0.2";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dashboard-e2e-nginx-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>nginx's error log so far, for failure messages.</summary>
    public string ErrorLog => File.Exists(Path.Combine(_folder, "error.log")) ? File.ReadAllText(Path.Combine(_folder, "error.log")) : "";

    public static async Task<NginxProxy> StartAsync(int appPort, TestCertificates certificates, Func<int, Task<bool>> answers)
    {
        if (!File.Exists(Tool))
        {
            throw new InvalidOperationException($"{Tool} is missing: install Debian's nginx package (apt-get install -y nginx); ./test.sh does this when it can.");
        }
        var proxy = new NginxProxy();
        Directory.CreateDirectory(proxy._folder);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            if (await proxy.TryStartAsync(appPort, certificates, answers))
            {
                return proxy;
            }
        }
        var log = proxy.ErrorLog;
        await proxy.DisposeAsync();
        throw new InvalidOperationException("nginx did not start on a free port in 5 attempts: " + log);
    }

    private async Task<bool> TryStartAsync(int appPort, TestCertificates certificates, Func<int, Task<bool>> answers)
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var port = Port.ToString(CultureInfo.InvariantCulture);
        var site = Rewrite(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "nginx", "mqtt-dashboard.conf")),
            ("listen 443 ssl;", $"listen 127.0.0.1:{port} ssl;"),
            ("/etc/nginx/tls/dashboard.example.pem", certificates.ServerCertificate),
            ("/etc/nginx/tls/dashboard.example.key", certificates.ServerKey),
            ("proxy_pass http://127.0.0.1:8888;", $"proxy_pass http://127.0.0.1:{appPort.ToString(CultureInfo.InvariantCulture)};\n        proxy_bind {ProxyAddress};"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "site.conf"), site);
        // Everything nginx writes stays in the folder; as root its workers would otherwise become "nobody".
        var temp = string.Join('\n', new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }
            .Select(kind => $"    {kind}_temp_path {Path.Combine(_folder, kind)};"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "nginx.conf"), $$"""
            daemon off;
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            worker_processes 1;
            pid {{Path.Combine(_folder, "nginx.pid")}};
            error_log {{Path.Combine(_folder, "error.log")}} notice;
            events { worker_connections 256; }
            http {
                access_log {{Path.Combine(_folder, "access.log")}};
            {{temp}}
                include {{Path.Combine(_folder, "site.conf")}};
            }
            """);
        var info = new ProcessStartInfo(Tool)
        {
            ArgumentList = { "-p", _folder, "-c", Path.Combine(_folder, "nginx.conf"), "-e", Path.Combine(_folder, "error.log") },
        };
        try
        {
            // Null when nginx exited first: most likely the port was taken in between (the error log says "bind() ... failed").
            _process = await ToolProcess.StartUntilReadyAsync(info, () => answers(Port), "nginx");
            return _process is not null;
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"nginx did not answer on port {port} within 30 s: {ErrorLog}", exception);
        }
    }

    /// <summary>Each text must be in the file: the test and the documented configuration cannot drift apart unnoticed.</summary>
    private static string Rewrite(string text, params (string From, string To)[] replacements)
    {
        foreach (var (from, to) in replacements)
        {
            if (!text.Contains(from, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"docs/nginx/mqtt-dashboard.conf no longer holds \"{from}\", which the test replaces.");
            }
            text = text.Replace(from, to, StringComparison.Ordinal);
        }
        return text;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
