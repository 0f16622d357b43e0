using MQTTnet.Server;

namespace Dashboard.Core.Broker;

/// <summary>How the embedded broker keeps sessions (the parts the session table depends on).</summary>
public sealed record BrokerSettings
{
    /// <summary>Default bound on queued messages per session.</summary>
    public const int DefaultMaxQueuedMessages = 1000;

    /// <summary>
    /// At most this many messages wait per session; when a new one arrives at a full queue the oldest
    /// is dropped (fresh data matters most for devices) and counted on the queue.
    /// </summary>
    public int MaxQueuedMessages { get; init; } = DefaultMaxQueuedMessages;

    /// <summary>Default time a new connection has to send its CONNECT packet.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A connection that has not sent a complete CONNECT packet within this time is closed (MQTTnet's own
    /// default, 100 s, lets a silent or half-sent connection hold a socket for long). MQTTnet also uses it
    /// to bound sending a DISCONNECT or a CONNACK when a session is taken over.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>Applies the settings to an MQTTnet options builder: persistent sessions and the queue bound.</summary>
    public MqttServerOptionsBuilder Configure(MqttServerOptionsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithDefaultCommunicationTimeout(ConnectTimeout)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(MaxQueuedMessages)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage);
    }
}
