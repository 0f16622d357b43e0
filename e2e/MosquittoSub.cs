using System.Diagnostics;
using System.Globalization;

namespace Dashboard.E2E;

/// <summary>
/// Debian's <c>mosquitto_sub</c> as a long-running subscriber: an MQTT client nobody on this team wrote.
/// </summary>
public sealed class MosquittoSub : IAsyncDisposable
{
    private const string Tool = "/usr/bin/mosquitto_sub";

    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    private MosquittoSub(Process process) => _process = process;

    /// <summary>What it printed so far (standard output and error), line by line.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Whether the process has ended (refused, or done).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>mosquitto_sub -h 127.0.0.1 -p port</c> with the given further arguments.</summary>
    public static MosquittoSub Start(int port, params string[] arguments)
    {
        if (!File.Exists(Tool))
        {
            throw new InvalidOperationException(
                $"{Tool} is missing: install Debian's mosquitto-clients package (apt-get install -y mosquitto-clients); ./test.sh does this when it can.");
        }
        var info = new ProcessStartInfo(Tool)
        {
            ArgumentList = { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto_sub did not start");
        var sub = new MosquittoSub(process);
        // Drained so that the subscriber never blocks on a full pipe; the first lines are kept.
        process.OutputDataReceived += (_, line) => sub.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => sub.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sub;
    }

    /// <summary>
    /// The local port of the process's TCP connection to <paramref name="brokerPort"/>, read from /proc,
    /// or null while it has none: what the broker should report as its peer_port.
    /// </summary>
    public int? LocalPortTo(int brokerPort)
    {
        var inodes = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFiles($"/proc/{_process.Id}/fd"))
        {
            if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target["socket:[".Length..^1]);
            }
        }
        // Lines of /proc/net/tcp: "sl local_address rem_address st ... inode", addresses as hex IP:port.
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length > 9 && inodes.Contains(columns[9]) && Port(columns[2]) == brokerPort)
            {
                return Port(columns[1]);
            }
        }
        return null;

        static int Port(string address) => int.Parse(address[(address.IndexOf(':', StringComparison.Ordinal) + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private void Keep(string? line)
    {
        if (line is not null && _lines.Count < 1_000)
        {
            _lines.Enqueue(line);
        }
    }

    /// <summary>Stops the client the way Ctrl+C does, so it sends DISCONNECT first.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
            _process.Dispose();
        }
    }
}
