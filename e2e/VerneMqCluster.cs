using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Dashboard.E2E;

/// <summary>
/// A real 2-node VerneMQ 2.1.2 cluster on loopback, from the release in <c>VERNEMQ_TARBALL</c> or
/// <c>../shared/vernemq</c>, extracted into a temporary directory and started once for the tests that
/// share it. When no release can be found, <see cref="SkipReason"/> says why and the tests skip
/// (<c>.ci/run</c> fails a CI run that skipped any).
/// </summary>
public sealed class VerneMqCluster : IAsyncDisposable
{
    public const string ApiKey = "e2e-vernemq-key-0123456789";

    private readonly string _home = Path.Combine(Path.GetTempPath(), "dashboard-vmq-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private string? _startScript;
    private string? _tarball;

    /// <summary>Why the cluster could not be started; null when it runs.</summary>
    public string? SkipReason { get; private set; }

    public Node[] Nodes { get; private set; } = [];

    /// <summary>One VerneMQ node: its name, directory and ports.</summary>
    public sealed record Node(string ShortName, string Directory, int MqttPort, int HttpPort, int ClusterPort, int DistPort)
    {
        public string Name => ShortName + "@127.0.0.1";

        public Uri HttpUrl => new($"http://127.0.0.1:{HttpPort}");

        public string AclFile => Path.Combine(Directory, "etc", "vmq.acl");
    }

    public async Task StartAsync()
    {
        _tarball = Environment.GetEnvironmentVariable("VERNEMQ_TARBALL") is { Length: > 0 } configured ? configured : FindTarball();
        if (_tarball is null || !File.Exists(_tarball))
        {
            SkipReason = $"No VerneMQ release: set VERNEMQ_TARBALL or put it in ../shared/vernemq (looked for {_tarball ?? "vernemq-*.tar.gz"}).";
            return;
        }
        _startScript = Path.Combine(Path.GetDirectoryName(_tarball)!, "start-node.sh");
        if (!File.Exists(_startScript))
        {
            SkipReason = $"No start-node.sh beside {_tarball}.";
            return;
        }
        Directory.CreateDirectory(_home);
        // VerneMQ reports a listener bound to port 0 as port 0, so its ports cannot be read back: they
        // are picked free here, and a start that lost a port to someone else is tried again on new ones.
        var first = await StartNodeAsync("vmqa" + _suffix, join: null);
        var second = await StartNodeAsync("vmqb" + _suffix, join: first.Name);
        Nodes = [first, second];
    }

    private async Task<Node> StartNodeAsync(string name, string? join)
    {
        var attempts = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var directory = Path.Combine(_home, name + (attempt == 0 ? "" : "-" + attempt));
            var node = new Node(name, directory, FreePort(), FreePort(), FreePort(), FreePort());
            var (code, output) = await RunAsync(_startScript!, [name, directory, $"{node.MqttPort}", $"{node.HttpPort}", $"{node.ClusterPort}", $"{node.DistPort}"],
                new()
                {
                    ["VMQ_HOME"] = Path.Combine(_home, "vernemq"),
                    ["VMQ_TARBALL"] = _tarball!,
                    ["VMQ_API_KEY"] = ApiKey,
                    ["VMQ_JOIN"] = join ?? "",
                }, TimeSpan.FromSeconds(150));
            if (code == 0)
            {
                return node;
            }
            attempts.Add(output);
            await RunAsync(Path.Combine(directory, "bin", "vernemq"), ["stop"], [], TimeSpan.FromSeconds(30));
            if (!output.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }
        }
        throw new InvalidOperationException($"VerneMQ node {name} did not start (libsnappy1v5 installed?):\n{string.Join("\n---\n", attempts)}");
    }

    /// <summary>Runs <c>vmq-admin</c> on a node; returns its output.</summary>
    public async Task<string> AdminAsync(Node node, params string[] arguments)
    {
        var (code, output) = await RunAsync(Path.Combine(node.Directory, "bin", "vmq-admin"), arguments, [], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"vmq-admin {string.Join(' ', arguments)} failed: {output}");
        return output;
    }

    /// <summary>VerneMQ's own answer to <c>/api/v1/session/show?{query}</c>, asked of a node directly.</summary>
    public async Task<JsonElement> SessionShowAsync(string query, Node? node = null)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ApiKey + ":")));
        var body = await http.GetStringAsync(new Uri((node ?? Nodes[0]).HttpUrl, "/api/v1/session/show?" + query));
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Any other v1 API answer of a node (<c>webhooks/show</c>, <c>cluster/show</c>).</summary>
    public async Task<JsonElement> ApiAsync(Node node, string command)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ApiKey + ":")));
        return JsonDocument.Parse(await http.GetStringAsync(new Uri(node.HttpUrl, "/api/v1/" + command))).RootElement.Clone();
    }

    public async Task StopNodeAsync(Node node) => await RunAsync(Path.Combine(node.Directory, "bin", "vernemq"), ["stop"], [], TimeSpan.FromSeconds(60));

    public async Task StartNodeAgainAsync(Node node)
    {
        var (code, output) = await RunAsync(Path.Combine(node.Directory, "bin", "vernemq"), ["start"], [], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, "vernemq start failed: " + output);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync(new Uri(node.HttpUrl, "/health"))).IsSuccessStatusCode)
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
            await Task.Delay(500);
        }
        throw new TimeoutException($"VerneMQ node {node.Name} did not answer /health within 90 s of its restart.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Reverse())
        {
            await StopNodeAsync(node);
        }
        // The first node started Erlang's port mapper from this release; it outlives the nodes.
        foreach (var process in Process.GetProcessesByName("epmd"))
        {
            try
            {
                if (File.ReadAllText($"/proc/{process.Id}/cmdline").Contains(_home, StringComparison.Ordinal))
                {
                    process.Kill();
                }
            }
            catch (IOException)
            {
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
        }
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string? FindTarball()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "dashboard.sln")))
            {
                var shared = Path.Combine(directory.FullName, "..", "shared", "vernemq");
                return Directory.Exists(shared) ? Directory.GetFiles(shared, "vernemq-*.tar.gz").FirstOrDefault() : null;
            }
        }
        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] arguments, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} timed out after {timeout.TotalSeconds} s\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
