using System.Globalization;
using System.Net;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using MQTTnet;

namespace Dashboard.Core.Broker;

/// <summary>
/// Turns what broker handlers recorded into store events, pairing each PUBLISH that goes out and each
/// acknowledgement with the queued message it belongs to. Runs on one thread (the tracker's consumer).
/// </summary>
/// <remarks>
/// MQTTnet mirrors: a queued QoS 0 message leaves when sent; QoS 1/2 stays until acknowledged and counts
/// in waiting_acks meanwhile; a persistent session that reconnects loses its unsent QoS 0 messages and
/// gets its unacknowledged ones sent again (MqttSession.Recover).
/// </remarks>
internal sealed class BrokerEventTranslator
{
    private const string Mountpoint = "";
    private readonly Dictionary<string, ClientTrack> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConnectFlags> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _acksChanged = new(StringComparer.Ordinal);
    private long _nextMsgRef;

    /// <summary>
    /// Adds what waits for the end of a batch: each client's waiting_acks once, as it is now, rather than
    /// once per PUBLISH sent and per acknowledgement (two more queue states per message otherwise).
    /// </summary>
    public void Flush(List<StoreEvent> output)
    {
        foreach (var clientId in _acksChanged)
        {
            if (_clients.TryGetValue(clientId, out var track))
            {
                output.Add(new WaitingAcksChanged(new QueueKey(Mountpoint, clientId), track.WaitingAcks));
            }
        }
        _acksChanged.Clear();
    }

    public void Translate(BrokerEvent brokerEvent, List<StoreEvent> output)
    {
        var key = new QueueKey(Mountpoint, brokerEvent.ClientId);
        _clients.TryGetValue(brokerEvent.ClientId, out var track);
        switch (brokerEvent)
        {
            case ConnectFlags flags:
                _flags[flags.ClientId] = flags;
                break;
            case Connected connected:
                Connect(connected, key, track, output);
                break;
            case Disconnected { Takeover: false } disconnected when track is not null:
                if (track.PeerKey is not null && PeerKey(disconnected.Peer) != track.PeerKey)
                {
                    // A late event of a connection that another one already replaced.
                    break;
                }
                var keep = track.KeepsQueue(disconnected.DisconnectExpiry);
                output.Add(new ClientDisconnected(key, keep,
                    track.Protocol == 5 && disconnected.DisconnectExpiry != 0 ? disconnected.DisconnectExpiry : null));
                if (keep)
                {
                    Detach(track);
                }
                else
                {
                    _clients.Remove(brokerEvent.ClientId);
                }
                break;
            case Subscribed subscribed when track is not null:
                track.Subscriptions[subscribed.Topic] = subscribed.Qos;
                var mqtt5 = track.Protocol == 5;
                output.Add(new SubscriptionAdded(key, new Subscription(subscribed.Topic, subscribed.Qos,
                    mqtt5 ? subscribed.RetainAsPublished : null, mqtt5 ? subscribed.NoLocal : null)));
                break;
            case Unsubscribed unsubscribed when track is not null:
                track.Subscriptions.Remove(unsubscribed.Topic);
                output.Add(new SubscriptionRemoved(key, unsubscribed.Topic));
                break;
            case Enqueuing enqueuing when track is not null:
                Enqueue(enqueuing, key, track, output);
                break;
            case Overwritten overwritten when track is not null:
                var oldest = track.FindWaiting(overwritten.Topic, overwritten.PayloadHash, overwritten.PayloadLength);
                if (oldest >= 0)
                {
                    output.Add(new MessageDropped(key, track.Messages[oldest].MsgRef));
                    track.Messages.RemoveAt(oldest);
                }
                break;
            case Sending sending when track is not null:
                Send(sending, key, track, output);
                break;
            case Acknowledged { Completed: true } acknowledged when track is not null:
                var done = track.FindInFlight(acknowledged.PacketId);
                if (done >= 0)
                {
                    output.Add(new MessageDelivered(key, track.Messages[done].MsgRef));
                    track.Messages.RemoveAt(done);
                    track.WaitingAcks--;
                    _acksChanged.Add(brokerEvent.ClientId);
                }
                break;
            case SessionGone:
                _clients.Remove(brokerEvent.ClientId);
                output.Add(new QueueRemoved(key));
                break;
            case Restored restored:
                Restore(restored.Session, key, output);
                break;
        }
    }

    /// <summary>A session read back from disk: tracked as if it had gone offline here, shown offline as it was.</summary>
    private void Restore(RestoredSession session, QueueKey key, List<StoreEvent> output)
    {
        var track = new ClientTrack(session.Protocol, cleanStart: false, session.SessionExpiry);
        foreach (var subscription in session.Subscriptions)
        {
            track.Subscriptions[subscription.Topic] = subscription.Qos;
        }
        foreach (var message in session.Messages)
        {
            track.Messages.Add(new TrackedMessage(message.MsgRef, message.RoutingKey, message.Qos, PayloadHash.Of(message.Payload.Span), message.Payload.Length));
            if (long.TryParse(message.MsgRef, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var number) && number > _nextMsgRef)
            {
                _nextMsgRef = number;
            }
        }
        _clients[session.ClientId] = track;
        output.Add(new QueueMirrored(key, new MirroredQueue(null, null, session.StartedAt, false, null, session.Subscriptions, session.Messages)));
    }

    private void Connect(Connected connected, QueueKey key, ClientTrack? track, List<StoreEvent> output)
    {
        _flags.Remove(connected.ClientId, out var flags);
        var cleanStart = flags?.CleanStart ?? true;
        var fresh = new ClientTrack(connected.Protocol, cleanStart, flags?.SessionExpiry ?? 0);
        if (track is null || cleanStart)
        {
            track = fresh;
        }
        else
        {
            // Resumed: MQTTnet clears unsent packets and re-sends unacknowledged QoS 1/2 ones.
            for (var i = track.Messages.Count - 1; i >= 0; i--)
            {
                if (track.Messages[i].Qos == 0)
                {
                    output.Add(new MessageDelivered(key, track.Messages[i].MsgRef));
                    track.Messages.RemoveAt(i);
                }
            }
            Detach(track);
            foreach (var message in track.Messages)
            {
                fresh.Messages.Add(message);
            }
            foreach (var subscription in track.Subscriptions)
            {
                fresh.Subscriptions[subscription.Key] = subscription.Value;
            }
            track = fresh;
        }
        track.PeerKey = PeerKey(connected.Peer);
        _clients[connected.ClientId] = track;
        var (host, port) = Peer(connected.Peer);
        var expiry = track.IsClean ? 0 : track.Protocol == 5 ? track.SessionExpiry : uint.MaxValue;
        output.Add(new ClientConnected(key, track.IsClean, connected.User, host, port, connected.Protocol, cleanStart, expiry));
    }

    private void Enqueue(Enqueuing enqueuing, QueueKey key, ClientTrack track, List<StoreEvent> output)
    {
        // Delivered with the lower of the message's QoS and the best matching subscription's.
        var granted = -1;
        foreach (var (filter, qos) in track.Subscriptions)
        {
            if (qos > granted && MqttTopicFilterComparer.Compare(enqueuing.Topic, filter) == MqttTopicFilterCompareResult.IsMatch)
            {
                granted = qos;
            }
        }
        var effective = granted < 0 ? enqueuing.Qos : Math.Min(granted, enqueuing.Qos);
        var msgRef = (++_nextMsgRef).ToString("x8", CultureInfo.InvariantCulture);
        track.Messages.Add(new TrackedMessage(msgRef, enqueuing.Topic, effective, PayloadHash.Of(enqueuing.Payload), enqueuing.Payload.Length));
        output.Add(new MessageQueued(key, new QueuedMessage(msgRef, effective, enqueuing.Topic, false, enqueuing.Payload)));
    }

    private void Send(Sending sending, QueueKey key, ClientTrack track, List<StoreEvent> output)
    {
        var index = track.FindWaiting(sending.Topic, sending.PayloadHash, sending.PayloadLength);
        if (index < 0)
        {
            return;
        }
        var message = track.Messages[index];
        if (sending.Qos == 0)
        {
            output.Add(new MessageDelivered(key, message.MsgRef));
            track.Messages.RemoveAt(index);
            return;
        }
        message.InFlight = true;
        message.PacketId = sending.PacketId;
        track.WaitingAcks++;
        _acksChanged.Add(sending.ClientId);
    }

    private static void Detach(ClientTrack track)
    {
        foreach (var message in track.Messages)
        {
            message.InFlight = false;
        }
        track.WaitingAcks = 0;
        track.PeerKey = null;
    }

    private static string? PeerKey(EndPoint? peer) => peer?.ToString();

    private static (string Host, int Port) Peer(EndPoint? peer) => peer switch
    {
        IPEndPoint ip => ((ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(), ip.Port),
        DnsEndPoint dns => (dns.Host, dns.Port),
        null => ("unknown", 0),
        _ => (peer.ToString() ?? "unknown", 0),
    };
}
