using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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
/// sessions and the retained changes recorded before it (docs/persistence.md); the journal's writer
/// releases those waits itself after each commit (docs/broker.md, "The durable wait").
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

    // Changes the journal must write before the next acknowledgement to a publisher are numbered from 1
    // in the order they are recorded; the acknowledgements wait in _durableWaits.
    private long _durableRecorded;
    private readonly DurableWaits _durableWaits = new();

    // Per publishing client id, the highest number its messages took: its acknowledgement waits for that,
    // not for every publisher's changes (docs/broker.md, "The durable wait").
    private readonly ConcurrentDictionary<string, StrongBox<long>> _publisherDurable = new(StringComparer.Ordinal);

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
        {
            ForgetPublisher(args.ClientId);
            return Record(new Disconnected(args.ClientId, args.RemoteEndPoint, args.DisconnectType == MqttClientDisconnectType.Takeover, args.SessionExpiryInterval));
        };
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
                ? RecordDurable(enqueuing, args.SenderClientId)
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
            MqttPubAckPacket or MqttPubRecPacket => WrittenAsync(args.ClientId),
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
                return RecordDurable(new RetainedChanged(new RetainedChange(message.Topic, message.Payload.IsEmpty ? null : message)), args.ClientId);
            };
            server.RetainedMessagesClearedAsync += _ => RecordDurable(new RetainedChanged(new RetainedChange(null, null)), publisher: null);
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
    /// numbered before it enters the channel, so a wait that sees the number waits for the event, even
    /// when another thread's event with a lower number enters the channel after it.
    /// </summary>
    /// <param name="brokerEvent">The change.</param>
    /// <param name="publisher">The client whose PUBLISH made the change, if any: its acknowledgements wait for it.</param>
    private Task RecordDurable(BrokerEvent brokerEvent, string? publisher)
    {
        var number = Interlocked.Increment(ref _durableRecorded);
        brokerEvent.DurableNumber = number;
        if (!string.IsNullOrEmpty(publisher))
        {
            // MQTTnet dispatches one connection's PUBLISH packets one after another, but a client id can
            // have two connections for a moment (a takeover): keep the highest.
            var last = _publisherDurable.GetOrAdd(publisher, static _ => new StrongBox<long>());
            var seen = Volatile.Read(ref last.Value);
            while (seen < number && Interlocked.CompareExchange(ref last.Value, number, seen) is var was && was != seen)
            {
                seen = was;
            }
        }
        return Record(brokerEvent);
    }

    /// <summary>
    /// A client gone: forget its last number once it is written. Forgetting a written number is safe at
    /// any time: a client with none waits for the global number, and a later message of its own records a
    /// higher one. A number still being written is forgotten after its commit, so ids do not pile up.
    /// </summary>
    private void ForgetPublisher(string clientId)
    {
        if (!_publisherDurable.TryGetValue(clientId, out var last))
        {
            return;
        }
        var upTo = Volatile.Read(ref last.Value);
        if (upTo <= _durableWaits.Written)
        {
            _publisherDurable.TryRemove(new KeyValuePair<string, StrongBox<long>>(clientId, last));
            return;
        }
        _ = _durableWaits.WaitAsync(upTo).ContinueWith(static (_, state) =>
        {
            var (tracker, id, box) = ((SessionTracker, string, StrongBox<long>))state!;
            // Only if the client recorded nothing newer meanwhile (it may be back).
            if (Volatile.Read(ref box.Value) <= tracker._durableWaits.Written)
            {
                tracker._publisherDurable.TryRemove(new KeyValuePair<string, StrongBox<long>>(id, box));
            }
        }, (this, clientId, last), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>How many publishing client ids have a number remembered (for tests).</summary>
    internal int RememberedPublishers => _publisherDurable.Count;

    /// <summary>
    /// Completes when the journal has written every durable change the messages of
    /// <paramref name="clientId"/> made so far (its acknowledgement's message among them); at once when
    /// there is none. A client with no number recorded waits for every change recorded so far, the safe
    /// side. The wait does not pass through the tracker's channel: the journal releases it after the
    /// commit that holds the last of those changes (docs/broker.md, "The durable wait").
    /// </summary>
    private Task WrittenAsync(string clientId)
    {
        if (_journal is null)
        {
            return Task.CompletedTask;
        }
        var upTo = _publisherDurable.TryGetValue(clientId, out var last)
            ? Volatile.Read(ref last.Value)
            : Interlocked.Read(ref _durableRecorded);
        return _durableWaits.WaitAsync(upTo);
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
        // The highest durable number up to which every durable event has been read, and the numbers read
        // ahead of it (recorded by one thread after a higher number from another entered the channel).
        var durableUpTo = 0L;
        var durableSent = 0L;
        var readAhead = new HashSet<long>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (output.Count < BatchSize && reader.TryRead(out var brokerEvent))
            {
                if (brokerEvent.DurableNumber > 0)
                {
                    if (brokerEvent.DurableNumber == durableUpTo + 1)
                    {
                        durableUpTo++;
                        while (readAhead.Count > 0 && readAhead.Remove(durableUpTo + 1))
                        {
                            durableUpTo++;
                        }
                    }
                    else
                    {
                        readAhead.Add(brokerEvent.DurableNumber);
                    }
                }
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
                try
                {
                    _translator.Translate(brokerEvent, output);
                }
                catch (Exception exception)
                {
                    LogTranslateFailed(exception, brokerEvent.GetType().Name, brokerEvent.ClientId);
                }
            }
            _translator.Flush(output);
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
            if (_journal is not null && (output.Count > 0 || retained.Count > 0 || durableUpTo > durableSent))
            {
                await AppendToJournalAsync(output, retained, new DurableMark(_durableWaits, durableUpTo)).ConfigureAwait(false);
                durableSent = durableUpTo;
            }
            output.Clear();
            foreach (var barrier in barriers)
            {
                barrier.TrySetResult();
            }
            barriers.Clear();
        }
    }

    private async Task AppendToJournalAsync(List<StoreEvent> output, List<RetainedChange> retained, DurableMark durable)
    {
        try
        {
            await _journal!.AppendAsync(output.ToArray(), retained.ToArray(), durable).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // As when the disk refuses a write (docs/persistence.md): the broker goes on.
            LogJournalFailed(exception, output.Count);
            durable.Written();
        }
        retained.Clear();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record broker event {Kind} of client {ClientId}")]
    private partial void LogTranslateFailed(Exception exception, string kind, string clientId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not hand {Count} session changes to the session journal")]
    private partial void LogJournalFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not apply {Count} session changes to the store")]
    private partial void LogApplyFailed(Exception exception, int count);
}
