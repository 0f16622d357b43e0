using System.Globalization;
using System.Net;
using Dashboard.Core.Broker;
using MQTTnet.Server;

namespace Dashboard.Bench;

/// <summary>
/// <c>plain-broker PORT [MAX_QUEUED]</c>: a plain MQTTnet 5 server on 127.0.0.1:PORT (the dashboard's broker settings,
/// no tracker, no journal, no Kestrel) until standard input closes. <c>brokers</c> runs it as a process
/// of its own, as it runs the dashboard, so both are measured the same way (RSS, CPU shared with the load).
/// </summary>
internal static class PlainBroker
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(args[0], CultureInfo.InvariantCulture);
        var queue = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : BrokerSettings.DefaultMaxQueuedMessages;
        var options = new BrokerSettings { MaxQueuedMessages = queue }.Configure(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port)).Build();
        using var server = new MqttServerFactory().CreateMqttServer(options);
        try
        {
            await server.StartAsync();
        }
        catch (System.Net.Sockets.SocketException exception)
        {
            Console.WriteLine($"bind failed: {exception.Message}");
            return 2;
        }
        Console.WriteLine($"plain MQTTnet listening on 127.0.0.1:{port}");
        // The parent closes our standard input to stop us; reading it also keeps us alive meanwhile.
        await Console.In.ReadToEndAsync();
        await server.StopAsync();
        return 0;
    }
}
