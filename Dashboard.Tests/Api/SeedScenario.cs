using System.Diagnostics;
using System.Globalization;
using Dashboard.Tests.Core.Broker;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Api;

/// <summary>
/// The seed document's sessions, made by Debian's mosquitto_sub: anonymous MQTT 3.1.1 clients
/// <c>client1</c> (persistent, subscribed to <c>some/topic</c> and <c>some/other/topic2</c>) and
/// <c>client2</c> (subscribed to <c>some/other/topic1</c>), on a node named <c>dev2@127.0.0.1</c>.
/// </summary>
/// <remarks>
/// The expected values come from the test's side, never from the app's store: the app runs on a fake
/// clock set to the seed's own timestamps (client1's queue starts at 1549379963575 and its client
/// reconnects at 1549379974905), and the ports are read from the mosquitto_sub processes' own sockets.
/// </remarks>
public sealed class SeedScenario : IAsyncLifetime
{
    private const long QueueStartedAt = 1549379963575;
    private const long SessionStartedAt = 1549379974905;

    private readonly List<Process> _clients = [];

    internal ApiTestHost Api { get; private set; } = null!;

    public int Client1Port { get; private set; }

    public int Client2Port { get; private set; }

    /// <summary>The seed's text with its example ports replaced by this run's clients' own ports.</summary>
    public string Localize(string seedText) => seedText
        .Replace("37094", Client1Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("37098", Client2Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public async ValueTask InitializeAsync()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(QueueStartedAt));
        Api = ApiTestHost.Start(time, ("Broker:NodeName", "dev2@127.0.0.1"));
        var mqttPort = Api.Host.MqttPort;
        var port = mqttPort.ToString(CultureInfo.InvariantCulture);
        string[] client1Arguments = ["-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-i", "client1", "-c", "-q", "1",
            "-t", "some/topic", "-t", "some/other/topic2"];
        // client1's queue is created now; it goes away and comes back later, as in the seed.
        var first = Mosquitto.Start("mosquitto_sub", client1Arguments);
        _clients.Add(first);
        await Api.WaitForAsync("client1", q => q is { IsOnline: true, Subscriptions.Length: 2 }, "online with two subscriptions");
        await Mosquitto.StopAsync(first);
        _clients.Remove(first);
        first.Dispose();
        await Api.WaitForAsync("client1", q => q is { IsOnline: false, Subscriptions.Length: 2 }, "offline keeping its subscriptions");
        time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(SessionStartedAt));

        var client1 = Mosquitto.Start("mosquitto_sub", client1Arguments);
        _clients.Add(client1);
        var client2 = Mosquitto.Start("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-i", "client2",
            "-t", "some/other/topic1");
        _clients.Add(client2);
        await Api.WaitForAsync("client1", q => q is { IsOnline: true, Subscriptions.Length: 2 }, "online again with two subscriptions");
        await Api.WaitForAsync("client2", q => q is { IsOnline: true, Subscriptions.Length: 1 }, "online with one subscription");
        Client1Port = LocalPortOf(client1, mqttPort);
        Client2Port = LocalPortOf(client2, mqttPort);
    }

    /// <summary>
    /// The local port of <paramref name="process"/>'s TCP connection to <paramref name="serverPort"/>,
    /// from Linux's own socket tables: the client's side of the connection, as the broker should report it.
    /// </summary>
    private static int LocalPortOf(Process process, int serverPort)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFiles($"/proc/{process.Id}/fd"))
        {
            if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target["socket:[".Length..^1]);
            }
        }
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && inodes.Contains(fields[9]) && PortOf(fields[2]) == serverPort)
                {
                    return PortOf(fields[1]);
                }
            }
        }
        Assert.Fail($"mosquitto_sub (pid {process.Id}) has no TCP connection to port {serverPort}");
        return 0;
    }

    private static int PortOf(string address) =>
        int.Parse(address.AsSpan(address.LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await Mosquitto.StopAsync(client);
            client.Dispose();
        }
        await Api.DisposeAsync();
    }
}
