using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Dashboard.Core.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Dashboard.Core.Broker;

/// <summary>
/// Keeps a <see cref="SessionStore"/> in step with an MQTTnet server. The broker awaits its event
/// handlers one after another on the packet path, so each handler here only copies what it needs
/// into a bounded channel; one consumer turns those records into store events and applies them in
/// batches.
/// </summary>
public sealed partial class SessionTracker : IAsyncDisposable
{
    private const int ChannelCapacity = 65_536;
    private const int BatchSize = 1_024;

    private readonly SessionStore _store;
    private readonly ILogger _logger;
    private readonly BrokerEventTranslator _translator = new();
    private readonly Channel<BrokerEvent> _channel = Channel.CreateBounded<BrokerEvent>(
        new BoundedChannelOptions(ChannelCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task _consumer;

    [ThreadStatic]
    private static (MqttApplicationMessage Message, byte[] Payload)? t_lastPayload;

    /// <summary>Starts the consumer that feeds <paramref name="store"/>.</summary>
    public SessionTracker(SessionStore store, ILogger<SessionTracker>? logger = null)
    {
        _store = store;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Subscribes to the server's events. Attach authorisation handlers first: connections they refuse are not recorded.</summary>
    public void Attach(MqttServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.ValidatingConnectionAsync += args => args.ReasonCode == MqttConnectReasonCode.Success
            ? Record(new ConnectFlags(string.IsNullOrEmpty(args.ClientId) ? args.AssignedClientIdentifier ?? "" : args.ClientId,
                args.CleanSession ?? true, args.SessionExpiryInterval))
            : Task.CompletedTask;
        server.ClientConnectedAsync += args =>
            Record(new Connected(args.ClientId, args.UserName, args.RemoteEndPoint, (int)args.ProtocolVersion));
        server.ClientDisconnectedAsync += args =>
            Record(new Disconnected(args.ClientId, args.RemoteEndPoint, args.DisconnectType == MqttClientDisconnectType.Takeover, args.SessionExpiryInterval));
        server.ClientSubscribedTopicAsync += args => Record(new Subscribed(args.ClientId, args.TopicFilter.Topic,
            (int)args.TopicFilter.QualityOfServiceLevel, args.TopicFilter.RetainAsPublished, args.TopicFilter.NoLocal));
        server.ClientUnsubscribedTopicAsync += args => Record(new Unsubscribed(args.ClientId, args.TopicFilter));
        server.InterceptingClientEnqueueAsync += args => args.AcceptEnqueue
            ? Record(new Enqueuing(args.ReceiverClientId, args.ApplicationMessage.Topic,
                (int)args.ApplicationMessage.QualityOfServiceLevel, CopyPayload(args.ApplicationMessage)))
            : Task.CompletedTask;
        server.QueuedApplicationMessageOverwrittenAsync += args => args.Packet is MqttPublishPacket dropped
            ? Record(new Overwritten(args.ReceiverClientId, dropped.Topic, PayloadHash.Of(dropped.Payload), (int)dropped.Payload.Length))
            : Task.CompletedTask;
        server.InterceptingOutboundPacketAsync += args => args.Packet is MqttPublishPacket publish
            ? Record(new Sending(args.ClientId, publish.Topic, (int)publish.QualityOfServiceLevel, publish.PacketIdentifier,
                PayloadHash.Of(publish.Payload), (int)publish.Payload.Length))
            : Task.CompletedTask;
        server.ClientAcknowledgedPublishPacketAsync += args =>
            Record(new Acknowledged(args.ClientId, args.AcknowledgePacket.PacketIdentifier, args.IsCompleted));
        server.SessionDeletedAsync += args => Record(new SessionGone(args.Id));
    }

    /// <summary>Completes when every broker event recorded before the call has reached the store.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Record(new Barrier(done)).WaitAsync(cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops taking events and waits for the consumer to apply what it has.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _consumer.ConfigureAwait(false);
    }

    private Task Record(BrokerEvent brokerEvent)
    {
        if (_channel.Writer.TryWrite(brokerEvent))
        {
            return Task.CompletedTask;
        }
        // Full: the broker waits for the consumer rather than the channel growing without bound.
        return WriteSlowAsync(brokerEvent);
    }

    private async Task WriteSlowAsync(BrokerEvent brokerEvent)
    {
        try
        {
            await _channel.Writer.WriteAsync(brokerEvent).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            if (brokerEvent is Barrier barrier)
            {
                barrier.Done.TrySetResult();
            }
        }
    }

    /// <summary>A message fans out to many queues on one thread: copy its payload once.</summary>
    private static byte[] CopyPayload(MqttApplicationMessage message)
    {
        if (t_lastPayload is { } last && ReferenceEquals(last.Message, message))
        {
            return last.Payload;
        }
        var payload = message.Payload.ToArray();
        t_lastPayload = (message, payload);
        return payload;
    }

    private async Task ConsumeAsync()
    {
        var reader = _channel.Reader;
        var output = new List<StoreEvent>(BatchSize);
        var barriers = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (output.Count < BatchSize && reader.TryRead(out var brokerEvent))
            {
                if (brokerEvent is Barrier barrier)
                {
                    barriers.Add(barrier.Done);
                    continue;
                }
                try
                {
                    _translator.Translate(brokerEvent, output);
                }
                catch (Exception exception)
                {
                    LogTranslateFailed(exception, brokerEvent.GetType().Name, brokerEvent.ClientId);
                }
            }
            if (output.Count > 0)
            {
                try
                {
                    _store.Apply(CollectionsMarshal.AsSpan(output));
                }
                catch (Exception exception)
                {
                    LogApplyFailed(exception, output.Count);
                }
                output.Clear();
            }
            foreach (var barrier in barriers)
            {
                barrier.TrySetResult();
            }
            barriers.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record broker event {Kind} of client {ClientId}")]
    private partial void LogTranslateFailed(Exception exception, string kind, string clientId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not apply {Count} session changes to the store")]
    private partial void LogApplyFailed(Exception exception, int count);
}
