using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Dashboard.Core.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Dashboard.Core.Broker;

/// <summary>
/// Keeps a <see cref="SessionStore"/> in step with an MQTTnet server. The broker awaits its event
/// handlers one after another on the packet path, so each handler here only copies what it needs
/// into a bounded channel; one consumer turns those records into store events and applies them in
/// batches, then hands each batch to the <see cref="ISessionJournal"/> when there is one. A publisher's
/// PUBACK or PUBREC waits until the journal has written the QoS 1/2 messages queued for persistent
/// sessions and the retained changes recorded before it (docs/persistence.md).
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
    private readonly ISessionJournal? _journal;

    // Client ids whose sessions outlive their connection (set at CONNECT, on the broker's threads).
    private readonly ConcurrentDictionary<string, bool> _persistent = new(StringComparer.Ordinal);

    // Writes the journal must make before the next acknowledgement to a publisher, and how many it has made.
    private long _durableRecorded;
    private long _durableWritten;

    [ThreadStatic]
    private static (MqttApplicationMessage Message, byte[] Payload)? t_lastPayload;

    /// <summary>Starts the consumer that feeds <paramref name="store"/> and, when given, <paramref name="journal"/>.</summary>
    public SessionTracker(SessionStore store, ILogger<SessionTracker>? logger = null, ISessionJournal? journal = null)
    {
        _store = store;
        _journal = journal;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Subscribes to the server's events. Attach authorisation handlers first: connections they refuse are not recorded.</summary>
    public void Attach(MqttServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.ValidatingConnectionAsync += args => args.ReasonCode == MqttConnectReasonCode.Success
            ? Connecting(string.IsNullOrEmpty(args.ClientId) ? args.AssignedClientIdentifier ?? "" : args.ClientId,
                args.CleanSession ?? true, args.SessionExpiryInterval, args.ProtocolVersion == MqttProtocolVersion.V500)
            : Task.CompletedTask;
        server.ClientConnectedAsync += args =>
            Record(new Connected(args.ClientId, args.UserName, args.RemoteEndPoint, (int)args.ProtocolVersion));
        server.ClientDisconnectedAsync += args =>
            Record(new Disconnected(args.ClientId, args.RemoteEndPoint, args.DisconnectType == MqttClientDisconnectType.Takeover, args.SessionExpiryInterval));
        server.ClientSubscribedTopicAsync += args => Record(new Subscribed(args.ClientId, args.TopicFilter.Topic,
            (int)args.TopicFilter.QualityOfServiceLevel, args.TopicFilter.RetainAsPublished, args.TopicFilter.NoLocal));
        server.ClientUnsubscribedTopicAsync += args => Record(new Unsubscribed(args.ClientId, args.TopicFilter));
        server.InterceptingClientEnqueueAsync += args =>
        {
            if (!args.AcceptEnqueue)
            {
                return Task.CompletedTask;
            }
            var enqueuing = new Enqueuing(args.ReceiverClientId, args.ApplicationMessage.Topic,
                (int)args.ApplicationMessage.QualityOfServiceLevel, CopyPayload(args.ApplicationMessage));
            return _journal is not null && args.ApplicationMessage.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce
                && _persistent.ContainsKey(args.ReceiverClientId)
                ? RecordDurable(enqueuing)
                : Record(enqueuing);
        };
        server.QueuedApplicationMessageOverwrittenAsync += args => args.Packet is MqttPublishPacket dropped
            ? Record(new Overwritten(args.ReceiverClientId, dropped.Topic, PayloadHash.Of(dropped.Payload), (int)dropped.Payload.Length))
            : Task.CompletedTask;
        server.InterceptingPublishAsync += _ =>
        {
            CoreMetrics.MessagesReceived.Add(1);
            return Task.CompletedTask;
        };
        server.InterceptingOutboundPacketAsync += args => args.Packet switch
        {
            MqttPublishPacket publish => Sent(args.ClientId, publish),
            // The publisher learns its message is safe only once it is: written before acknowledged.
            MqttPubAckPacket or MqttPubRecPacket => WrittenAsync(),
            _ => Task.CompletedTask,
        };
        server.ClientAcknowledgedPublishPacketAsync += args =>
            Record(new Acknowledged(args.ClientId, args.AcknowledgePacket.PacketIdentifier, args.IsCompleted));
        server.SessionDeletedAsync += args =>
        {
            _persistent.TryRemove(args.Id, out _);
            return Record(new SessionGone(args.Id));
        };
        if (_journal is not null)
        {
            server.RetainedMessageChangedAsync += args =>
            {
                var message = args.ChangedRetainedMessage;
                return RecordDurable(new RetainedChanged(new RetainedChange(message.Topic, message.Payload.IsEmpty ? null : message)));
            };
            server.RetainedMessagesClearedAsync += _ => RecordDurable(new RetainedChanged(new RetainedChange(null, null)));
        }
    }

    private Task Sent(string clientId, MqttPublishPacket publish)
    {
        CoreMetrics.MessagesSent.Add(1);
        return Record(new Sending(clientId, publish.Topic, (int)publish.QualityOfServiceLevel, publish.PacketIdentifier,
            PayloadHash.Of(publish.Payload), (int)publish.Payload.Length));
    }

    /// <summary>
    /// Puts a session read back from disk in the store, offline, as it was (docs/persistence.md). Call
    /// before clients can connect; the broker must already hold the session.
    /// </summary>
    public Task RestoreAsync(RestoredSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _persistent[session.ClientId] = true;
        return Record(new Restored(session));
    }

    /// <summary>Removes a session the broker no longer holds from the store and the journal.</summary>
    public Task ForgetAsync(string clientId)
    {
        _persistent.TryRemove(clientId, out _);
        return Record(new SessionGone(clientId));
    }

    private Task Connecting(string clientId, bool cleanSession, uint sessionExpiry, bool mqtt5)
    {
        if (mqtt5 ? sessionExpiry != 0 : !cleanSession)
        {
            _persistent[clientId] = true;
        }
        else
        {
            _persistent.TryRemove(clientId, out _);
        }
        return Record(new ConnectFlags(clientId, cleanSession, sessionExpiry));
    }

    /// <summary>
    /// Records an event the journal must write before the next acknowledgement to a publisher. It is
    /// counted only once it is in the channel, so a wait that sees the count is queued behind it.
    /// </summary>
    private Task RecordDurable(BrokerEvent brokerEvent)
    {
        if (_channel.Writer.TryWrite(brokerEvent))
        {
            Interlocked.Increment(ref _durableRecorded);
            return Task.CompletedTask;
        }
        return RecordDurableSlowAsync(brokerEvent);
    }

    private async Task RecordDurableSlowAsync(BrokerEvent brokerEvent)
    {
        await WriteSlowAsync(brokerEvent).ConfigureAwait(false);
        Interlocked.Increment(ref _durableRecorded);
    }

    /// <summary>Completes when the journal has written every durable change recorded so far; at once when there is none.</summary>
    private Task WrittenAsync()
    {
        if (_journal is null)
        {
            return Task.CompletedTask;
        }
        var recorded = Interlocked.Read(ref _durableRecorded);
        if (recorded <= Interlocked.Read(ref _durableWritten))
        {
            return Task.CompletedTask;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var record = Record(new DurableBarrier(done, recorded));
        return record.IsCompletedSuccessfully ? done.Task : WaitBothAsync(record, done.Task);
    }

    private static async Task WaitBothAsync(Task first, Task second)
    {
        await first.ConfigureAwait(false);
        await second.ConfigureAwait(false);
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
        var retained = new List<RetainedChange>();
        var durable = new List<TaskCompletionSource>();
        var durableUpTo = 0L;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (output.Count < BatchSize && reader.TryRead(out var brokerEvent))
            {
                if (brokerEvent is Barrier barrier)
                {
                    barriers.Add(barrier.Done);
                    continue;
                }
                if (brokerEvent is RetainedChanged changed)
                {
                    retained.Add(changed.Change);
                    continue;
                }
                if (brokerEvent is DurableBarrier written)
                {
                    durable.Add(written.Done);
                    durableUpTo = Math.Max(durableUpTo, written.Recorded);
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
            }
            if (_journal is not null && (output.Count > 0 || retained.Count > 0 || durable.Count > 0))
            {
                await AppendToJournalAsync(output, retained, durable, durableUpTo).ConfigureAwait(false);
            }
            output.Clear();
            foreach (var barrier in barriers)
            {
                barrier.TrySetResult();
            }
            barriers.Clear();
        }
    }

    private async Task AppendToJournalAsync(List<StoreEvent> output, List<RetainedChange> retained, List<TaskCompletionSource> durable, long durableUpTo)
    {
        var waits = durable.ToArray();
        if (waits.Length > 0)
        {
            // Later acknowledgements that recorded nothing newer need not wait once these are written.
            var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = written.Task.ContinueWith(_ => RaiseWritten(durableUpTo), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            waits = [.. waits, written];
        }
        try
        {
            await _journal!.AppendAsync(output.ToArray(), retained.ToArray(), waits).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogJournalFailed(exception, output.Count);
            foreach (var wait in waits)
            {
                wait.TrySetResult();
            }
        }
        retained.Clear();
        durable.Clear();
    }

    private void RaiseWritten(long upTo)
    {
        var current = Interlocked.Read(ref _durableWritten);
        while (upTo > current)
        {
            var seen = Interlocked.CompareExchange(ref _durableWritten, upTo, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record broker event {Kind} of client {ClientId}")]
    private partial void LogTranslateFailed(Exception exception, string kind, string clientId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not hand {Count} session changes to the session journal")]
    private partial void LogJournalFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not apply {Count} session changes to the store")]
    private partial void LogApplyFailed(Exception exception, int count);
}
