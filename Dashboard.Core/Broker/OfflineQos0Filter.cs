using System.Collections.Concurrent;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Dashboard.Core.Broker;

/// <summary>
/// Keeps QoS 0 messages out of the queues of offline sessions, as VerneMQ and mosquitto do: MQTTnet queues
/// them and then drops them at reconnect, so they only showed as <c>offline_messages</c> that never
/// arrived. <c>Broker:QueueQos0Messages=true</c> (mosquitto's <c>queue_qos0_messages</c>) queues them
/// anyway; MQTTnet still drops them when the client reconnects.
/// </summary>
/// <param name="queueQos0">Whether QoS 0 messages are queued for offline sessions anyway.</param>
public sealed class OfflineQos0Filter(bool queueQos0)
{
    // Connections per client id; a takeover briefly has two, so a count rather than a flag.
    private readonly ConcurrentDictionary<string, int> _connections = new(StringComparer.Ordinal);

    /// <summary>Subscribes to the server's events. Attach before the <see cref="SessionTracker"/>, which records only accepted messages.</summary>
    public void Attach(MqttServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (queueQos0)
        {
            return;
        }
        server.ClientConnectedAsync += args =>
        {
            _connections.AddOrUpdate(args.ClientId, 1, (_, count) => count + 1);
            return Task.CompletedTask;
        };
        server.ClientDisconnectedAsync += args =>
        {
            if (_connections.AddOrUpdate(args.ClientId, 0, (_, count) => count - 1) <= 0)
            {
                _connections.TryRemove(new KeyValuePair<string, int>(args.ClientId, 0));
            }
            return Task.CompletedTask;
        };
        server.InterceptingClientEnqueueAsync += args =>
        {
            if (args.ApplicationMessage.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce && !_connections.ContainsKey(args.ReceiverClientId))
            {
                args.AcceptEnqueue = false;
            }
            return Task.CompletedTask;
        };
    }
}
