using System.Diagnostics;
using Dashboard.Tests.Core.Broker;

namespace Dashboard.Tests.Api;

/// <summary>
/// The seed document's sessions, made by Debian's mosquitto_sub: anonymous MQTT 3.1.1 clients
/// <c>client1</c> (persistent, subscribed to <c>some/topic</c> and <c>some/other/topic2</c>) and
/// <c>client2</c> (subscribed to <c>some/other/topic1</c>), on a node named <c>dev2@127.0.0.1</c>.
/// </summary>
public sealed class SeedScenario : IAsyncLifetime
{
    private readonly List<Process> _clients = [];

    internal ApiTestHost Api { get; private set; } = null!;

    public int Client1Port { get; private set; }

    public int Client2Port { get; private set; }

    public long Client1QueueStartedAt { get; private set; }

    public long Client1SessionStartedAt { get; private set; }

    /// <summary>The seed's text with its example ports and timestamps replaced by this run's.</summary>
    public string Localize(string seedText) => seedText
        .Replace("37094", Client1Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("37098", Client2Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("1549379963575", Client1QueueStartedAt.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("1549379974905", Client1SessionStartedAt.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public async ValueTask InitializeAsync()
    {
        Api = ApiTestHost.Start(("Broker:NodeName", "dev2@127.0.0.1"));
        var port = Api.Host.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _clients.Add(Mosquitto.Start("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-i", "client1", "-c", "-q", "1",
            "-t", "some/topic", "-t", "some/other/topic2"));
        _clients.Add(Mosquitto.Start("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-i", "client2",
            "-t", "some/other/topic1"));
        var client1 = await Api.WaitForAsync("client1", q => q is { IsOnline: true, Subscriptions.Length: 2 }, "online with two subscriptions");
        var client2 = await Api.WaitForAsync("client2", q => q is { IsOnline: true, Subscriptions.Length: 1 }, "online with one subscription");
        Client1Port = client1!.Sessions[0].PeerPort;
        Client2Port = client2!.Sessions[0].PeerPort;
        Client1QueueStartedAt = client1.StartedAt;
        Client1SessionStartedAt = client1.Sessions[0].StartedAt;
    }

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
