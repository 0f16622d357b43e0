using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

// The write side: each event becomes new immutable queue states and versioned changes.
public sealed partial class SessionStore
{
    private void ApplyOne(StoreEvent storeEvent, long oldestReader)
    {
        _handles.TryGetValue(storeEvent.Key, out var handle);
        var current = handle?.Current is { IsRemoved: false } live ? live : null;
        switch (storeEvent)
        {
            case ClientConnected connected:
                Connect(connected, handle, current, oldestReader);
                break;
            case ClientDisconnected disconnected when current is { IsOnline: true }:
                Disconnect(handle!, current, disconnected.KeepQueue ?? !current.CleanSession, oldestReader);
                break;
            case SubscriptionAdded added when current is not null:
                Subscribe(handle!, current, added.Subscription, oldestReader);
                break;
            case SubscriptionRemoved removed when current is not null:
                Unsubscribe(handle!, current, removed.Topic, oldestReader);
                break;
            case MessageQueued queued when current is not null:
                var messages = current.Messages.Add(queued.Message);
                Revise(handle!, current, oldestReader, messages: messages);
                Emit(ChangeKind.MessageQueued, handle!, queued.Message.MsgRef);
                break;
            case MessageDelivered delivered when current is not null:
                TakeMessage(handle!, current, delivered.MsgRef, dropped: false, oldestReader);
                break;
            case MessageDropped dropped when current is not null:
                TakeMessage(handle!, current, dropped.MsgRef, dropped: true, oldestReader);
                break;
            case WaitingAcksChanged acks when current is { Sessions.Length: > 0 }:
                var last = current.Sessions[^1];
                if (last.WaitingAcks != acks.WaitingAcks)
                {
                    var sessions = current.Sessions.SetItem(current.Sessions.Length - 1, last with { WaitingAcks = acks.WaitingAcks });
                    Revise(handle!, current, oldestReader, sessions: sessions);
                    Emit(ChangeKind.Updated, handle!);
                }
                break;
            case QueueMirrored mirrored:
                Mirror(mirrored, handle, current, oldestReader);
                break;
            case FlappingRechecked when current is not null:
                // Same queue, judged again: consumers refresh what they show of it (the flag has changed).
                Revise(handle!, current, oldestReader);
                Emit(ChangeKind.Updated, handle!);
                break;
            case QueueRemoved when current is not null:
                if (current.IsOnline)
                {
                    // Consumers see an online queue go offline before it goes, as with a clean disconnect.
                    Emit(ChangeKind.Offline, handle!, state: current.With(++_writeVersion, QueueStateName.Offline, sessions: []));
                }
                Remove(handle!, current, oldestReader);
                break;
        }
    }

    private void Connect(ClientConnected connected, QueueHandle? handle, QueueState? current, long oldestReader)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var session = new AttachedSession(++_nextId, connected.User, connected.PeerHost, connected.PeerPort, connected.Protocol, now);
        if (current is not null && (connected.StartFresh ?? connected.CleanSession))
        {
            // A clean session never inherits: the old queue goes, a fresh one follows (its connects carry over).
            Remove(handle!, current, oldestReader);
            current = null;
        }
        var connects = NextConnects(connected.Key, current, now);
        if (current is null)
        {
            handle ??= AddHandle(connected.Key);
            // Two changes, one state: a state for the first alone would be garbage at once (docs/store.md,
            // "Garbage collection"); no reader sees the store between the two versions (docs/store.md, "Batches").
            var createdAt = ++_writeVersion;
            var created = new QueueState(connected.Key, ++_nextId, now, connected.CleanSession, QueueStateName.Online,
                Single(session), [], [], ++_writeVersion, connects: connects);
            Write(handle, created, oldestReader);
            _changes.Add(new SessionChange(createdAt, ChangeKind.Created, created));
            Emit(ChangeKind.Online, handle);
            return;
        }
        // The same fields either way; the first shares the queue's unchanging ones with the state it replaces.
        var online = current is { Node: null, QueuePid: null, UnlistedMessages: 0 }
            ? current.With(++_writeVersion, QueueStateName.Online, Single(session), cleanSession: connected.CleanSession, connects: connects)
            : new QueueState(current.Key, current.QueueId, current.StartedAt, connected.CleanSession,
                QueueStateName.Online, Single(session), current.Subscriptions, current.Messages, ++_writeVersion, current.DroppedMessages,
                connects: connects);
        Write(handle!, online, oldestReader);
        Emit(ChangeKind.Online, handle!);
    }

    private void Mirror(QueueMirrored mirrored, QueueHandle? handle, QueueState? current, long oldestReader)
    {
        var queue = mirrored.Queue;
        var subscriptions = queue.Subscriptions.OrderBy(s => s.Topic, StringComparer.Ordinal).ToImmutableArray();
        var messages = MessageList.From(queue.Messages);
        var sessions = queue.Session is { } attached ? Single(attached) : [];
        var stateName = sessions.IsEmpty ? QueueStateName.Offline : QueueStateName.Online;
        if (current is not null && current.Node == queue.Node && current.QueuePid == queue.QueuePid
            && current.StartedAt == queue.StartedAt && current.CleanSession == queue.CleanSession
            && current.StateName == stateName && current.Sessions.SequenceEqual(sessions)
            && current.Subscriptions.SequenceEqual(subscriptions) && SameMessages(current.Messages, messages)
            && current.UnlistedMessages == queue.UnlistedMessages)
        {
            // A resync that finds nothing new writes nothing: no version, no change, no flicker.
            return;
        }
        var fresh = handle is null || current is null;
        // A new connection counts as a connect (for flapping); a read of the same connection does not.
        var connects = stateName == QueueStateName.Online && (current is null || current.StateName != stateName || !SameConnections(current.Sessions, sessions))
            ? NextConnects(mirrored.Key, current, sessions[0].StartedAt > 0 ? Math.Min(sessions[0].StartedAt, _time.GetUtcNow().ToUnixTimeMilliseconds()) : _time.GetUtcNow().ToUnixTimeMilliseconds())
            : current?.Connects;
        handle ??= AddHandle(mirrored.Key);
        var before = current?.Subscriptions ?? [];
        var held = new Subscription[subscriptions.Length];
        lock (_indexLock)
        {
            for (var i = 0; i < held.Length; i++)
            {
                // Kept as it was when unchanged; otherwise indexed, and shared with other subscribers.
                var subscription = subscriptions[i];
                var position = FindTopic(before, subscription.Topic);
                held[i] = position >= 0 && before[position] == subscription ? before[position] : _topics.Add(subscription, handle);
            }
        }
        subscriptions = ImmutableCollectionsMarshal.AsImmutableArray(held);
        var state = new QueueState(mirrored.Key, current?.QueueId ?? ++_nextId, queue.StartedAt, queue.CleanSession,
            stateName, sessions, subscriptions, messages, ++_writeVersion, current?.DroppedMessages ?? 0, queue.Node, queue.QueuePid,
            queue.UnlistedMessages, connects);
        Write(handle, state, oldestReader);
        foreach (var old in before)
        {
            if (FindTopic(subscriptions, old.Topic) < 0)
            {
                _pendingRemovals.Add(new PendingRemoval(_writeVersion, handle, old.Topic));
                Emit(ChangeKind.Unsubscribed, handle, old.Topic);
            }
        }
        if (fresh)
        {
            Emit(ChangeKind.Created, handle);
        }
        // Online again only for another connection: a read that fills in what a hook did not carry (the
        // session pid, the protocol) or a new waiting_acks count is the same connection, updated. Counted
        // as online, it would be a second connect on the wall and in the session's history.
        var presence = fresh || current!.StateName != stateName || !SameConnections(current.Sessions, sessions);
        if (presence)
        {
            Emit(stateName == QueueStateName.Online ? ChangeKind.Online : ChangeKind.Offline, handle);
        }
        foreach (var subscription in subscriptions)
        {
            var position = FindTopic(before, subscription.Topic);
            if (position < 0 || before[position] != subscription)
            {
                Emit(ChangeKind.Subscribed, handle, subscription.Topic);
            }
        }
        if (!fresh && (!SameMessages(current!.Messages, messages) || current.UnlistedMessages != queue.UnlistedMessages
            || (!presence && !current.Sessions.SequenceEqual(sessions))))
        {
            Emit(ChangeKind.Updated, handle);
        }
    }

    /// <summary>
    /// Whether two lists of attached sessions are the same connections: the same peer address and port,
    /// and the same pid where both know one (a session a hook made has none until a read fills it in).
    /// </summary>
    private static bool SameConnections(ImmutableArray<AttachedSession> a, ImmutableArray<AttachedSession> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        for (var i = 0; i < a.Length; i++)
        {
            var (x, y) = (a[i], b[i]);
            if (x.PeerHost != y.PeerHost || x.PeerPort != y.PeerPort || (x.Pid is not null && y.Pid is not null && x.Pid != y.Pid))
            {
                return false;
            }
        }
        return true;
    }

    private static bool SameMessages(MessageList a, MessageList b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        for (var i = 0; i < a.Length; i++)
        {
            var (x, y) = (a[i], b[i]);
            if (x.MsgRef != y.MsgRef || x.Qos != y.Qos || x.Dup != y.Dup || x.RoutingKey != y.RoutingKey || !x.Payload.Span.SequenceEqual(y.Payload.Span))
            {
                return false;
            }
        }
        return true;
    }

    private void Disconnect(QueueHandle handle, QueueState current, bool keepQueue, long oldestReader)
    {
        var offline = current.With(++_writeVersion, QueueStateName.Offline, sessions: [], cleanSession: false);
        if (!keepQueue)
        {
            // Reported as going offline, then gone: consumers see both facts.
            Emit(ChangeKind.Offline, handle, state: offline);
            Remove(handle, current, oldestReader);
            return;
        }
        Write(handle, offline, oldestReader);
        Emit(ChangeKind.Offline, handle);
    }

    private void Subscribe(QueueHandle handle, QueueState current, Subscription subscription, long oldestReader)
    {
        var subscriptions = current.Subscriptions;
        var position = FindTopic(subscriptions, subscription.Topic);
        if (position >= 0 && subscriptions[position] == subscription)
        {
            return;
        }
        lock (_indexLock)
        {
            // The queue holds the subscription other subscribers of the topic share, when equal.
            subscription = _topics.Add(subscription, handle);
        }
        subscriptions = position >= 0 ? subscriptions.SetItem(position, subscription) : subscriptions.Insert(~position, subscription);
        Revise(handle, current, oldestReader, subscriptions: subscriptions);
        Emit(ChangeKind.Subscribed, handle, subscription.Topic);
    }

    private void Unsubscribe(QueueHandle handle, QueueState current, string topic, long oldestReader)
    {
        var position = FindTopic(current.Subscriptions, topic);
        if (position < 0)
        {
            return;
        }
        Revise(handle, current, oldestReader, subscriptions: current.Subscriptions.RemoveAt(position));
        _pendingRemovals.Add(new PendingRemoval(_writeVersion, handle, topic));
        Emit(ChangeKind.Unsubscribed, handle, topic);
    }

    private void TakeMessage(QueueHandle handle, QueueState current, string msgRef, bool dropped, long oldestReader)
    {
        var messages = current.Messages;
        for (var i = 0; i < messages.Length; i++)
        {
            if (messages[i].MsgRef == msgRef)
            {
                Revise(handle, current, oldestReader, messages: messages.RemoveAt(i), droppedMore: dropped ? 1 : 0);
                Emit(dropped ? ChangeKind.MessageDropped : ChangeKind.MessageDelivered, handle, msgRef);
                return;
            }
        }
    }

    private void Remove(QueueHandle handle, QueueState current, long oldestReader)
    {
        if (current.Connects is { } connects)
        {
            RememberDeparted(current.Key, connects);
        }
        var version = ++_writeVersion;
        var tombstone = new QueueState(current.Key, current.QueueId, current.StartedAt, current.CleanSession,
            QueueStateName.Offline, [], [], [], version)
        { IsRemoved = true };
        Write(handle, tombstone, oldestReader);
        // Index entries go once no open snapshot can still see the queue (see PurgeRemovals).
        foreach (var subscription in current.Subscriptions)
        {
            _pendingRemovals.Add(new PendingRemoval(version, handle, subscription.Topic));
        }
        _pendingRemovals.Add(new PendingRemoval(version, handle, null));
        _changes.Add(new SessionChange(version, ChangeKind.Removed, tombstone));
    }

    /// <summary>The connect history after a connect at <paramref name="now"/>: the queue's own, or that of its departed predecessor.</summary>
    private ConnectHistory NextConnects(QueueKey key, QueueState? current, long now)
    {
        var previous = current?.Connects;
        if (previous is null && _departed.Remove(key, out var departed))
        {
            previous = departed;
        }
        if (previous is not null)
        {
            return previous.Add(now, Flapping);
        }
        // Clients connecting for the first time within the same millisecond share one history: it is
        // immutable, so a fleet connecting at once costs one per millisecond instead of one per client
        // (docs/store.md, "Garbage collection").
        if (_firstConnects is not { } shared || shared.Latest != now)
        {
            _firstConnects = shared = ConnectHistory.First(now, Flapping);
        }
        return shared;
    }

    private void RememberDeparted(QueueKey key, ConnectHistory connects)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // Forget the oldest first: those whose last connect left the window, then any beyond the bound.
        while (_departedOrder.TryPeek(out var oldest)
            && (oldest.At <= now - Flapping.WindowMs || _departed.Count >= MaxDeparted || _departedOrder.Count >= 2 * MaxDeparted))
        {
            _departedOrder.Dequeue();
            if (_departed.TryGetValue(oldest.Key, out var stale) && stale.Latest == oldest.At)
            {
                _departed.Remove(oldest.Key);
            }
        }
        if (connects.Latest > now - Flapping.WindowMs)
        {
            _departed[key] = connects;
            _departedOrder.Enqueue((key, connects.Latest));
        }
    }

    private QueueHandle AddHandle(QueueKey key)
    {
        if (_spareHandles.Length == _nextSpare)
        {
            _spareHandles = QueueHandle.Block(HandleBlock);
            _nextSpare = 0;
        }
        var handle = _spareHandles[_nextSpare].Assign(key);
        _spareHandles[_nextSpare++] = null!;
        _handles.Add(key, handle);
        lock (_indexLock)
        {
            _index.Insert(handle);
            _mountpoints[key.Mountpoint] = _mountpoints.GetValueOrDefault(key.Mountpoint) + 1;
        }
        return handle;
    }

    /// <summary>
    /// Writes the queue's next state with new content (not a new presence) at the next version. A state
    /// written earlier in this batch is revised in place: no reader can see it before the batch is
    /// published, and a client's events often come together (a connect and its subscriptions, a message
    /// queued and delivered), so this saves a state per event (docs/store.md, "Batches").
    /// </summary>
    private void Revise(
        QueueHandle handle, QueueState current, long oldestReader, ImmutableArray<AttachedSession>? sessions = null,
        ImmutableArray<Subscription>? subscriptions = null, MessageList? messages = null, long droppedMore = 0)
    {
        var version = ++_writeVersion;
        if (current.Version <= _batchStart || !ReferenceEquals(handle.Current, current))
        {
            Write(handle, current.With(version, sessions: sessions, subscriptions: subscriptions, messages: messages, droppedMore: droppedMore),
                oldestReader);
            return;
        }
        Count(current, -1);
        current.Revise(version, sessions, subscriptions, messages, droppedMore);
        current.Marks = Health.Mark(current);
        Count(current, +1);
    }

    private void Write(QueueHandle handle, QueueState state, long oldestReader)
    {
        var previous = handle.Current;
        if (previous is not null)
        {
            // Keep one step back for snapshots opened before this write; anything older than the
            // oldest open snapshot can no longer be read.
            state.Older = previous;
            if (previous.Version <= oldestReader)
            {
                previous.Older = null;
            }
            Count(previous, -1);
        }
        state.Marks = state.IsRemoved ? QueueMarks.None : Health.Mark(state);
        handle.Publish(state);
        _written.Add(handle);
        Count(state, +1);
    }

    /// <summary>
    /// Once no open snapshot is older than this batch, the states it replaced can never be read
    /// again: unlink them so a quiet store holds one state per queue.
    /// </summary>
    private void ForgetPreviousStates(long oldestReader)
    {
        if (oldestReader >= _writeVersion)
        {
            foreach (var handle in _written)
            {
                if (handle.Current is { } current)
                {
                    current.Older = null;
                }
            }
        }
        _written.Clear();
    }

    private void Count(QueueState state, int sign)
    {
        if (state.IsRemoved)
        {
            return;
        }
        if (state.IsOnline)
        {
            _online += sign;
        }
        else
        {
            _offline += sign;
        }
        _subscriptions += sign * state.Subscriptions.Length;
        _messages += sign * state.MessageCount;
        // Mirrored queues name their node; the store's own node is the rest, so the embedded broker's
        // writes (no node) pay nothing here.
        if (state.Node is { } node)
        {
            if (!_nodeCounts.TryGetValue(node, out var counts))
            {
                _nodeCounts[node] = counts = new long[4];
            }
            counts[state.IsOnline ? 0 : 1] += sign;
            counts[2] += sign * state.Subscriptions.Length;
            counts[3] += sign * state.MessageCount;
        }
    }

    private void Emit(ChangeKind kind, QueueHandle handle, string? detail = null, QueueState? state = null) =>
        _changes.Add(new SessionChange(_writeVersion, kind, state ?? handle.Current!, detail));

    private void PurgeRemovals(long oldestReader)
    {
        // Only the latest removal of a queue or of one of its topics decides: an older one may be
        // followed by a re-creation that a snapshot between the two still has to find. When every
        // removal is visible to all readers, each is decided by the queue's current state alone, so
        // doing them all is the same as doing the latest ones (the usual case: nobody reading).
        var everyoneSeesAll = true;
        foreach (var pending in _pendingRemovals)
        {
            everyoneSeesAll &= pending.Version <= oldestReader;
        }
        if (!everyoneSeesAll)
        {
            foreach (var pending in _pendingRemovals)
            {
                _latestRemoval[(pending.Handle, pending.Topic)] = pending.Version;
            }
        }
        lock (_indexLock)
        {
            var kept = 0;
            for (var i = 0; i < _pendingRemovals.Count; i++)
            {
                var pending = _pendingRemovals[i];
                if (!everyoneSeesAll && pending.Version < _latestRemoval[(pending.Handle, pending.Topic)])
                {
                    continue;
                }
                if (pending.Version > oldestReader)
                {
                    _pendingRemovals[kept++] = pending;
                    continue;
                }
                var current = pending.Handle.Current;
                if (pending.Topic is { } topic)
                {
                    if (current is null || current.IsRemoved || FindTopic(current.Subscriptions, topic) < 0)
                    {
                        _topics.Remove(topic, pending.Handle);
                    }
                }
                else if (current is { IsRemoved: true })
                {
                    DropHandle(pending.Handle);
                }
            }
            _pendingRemovals.RemoveRange(kept, _pendingRemovals.Count - kept);
        }
        if (_latestRemoval.Count > 4096)
        {
            // A burst while readers were open: do not keep its buckets, clearing them costs every batch.
            _latestRemoval = [];
        }
        _latestRemoval.Clear();
    }

    private void DropHandle(QueueHandle handle)
    {
        var key = handle.Key;
        if (_handles.GetValueOrDefault(key) != handle || _index.Find(key) != handle)
        {
            return;
        }
        _index.Remove(key);
        _handles.Remove(key);
        var left = _mountpoints[key.Mountpoint] - 1;
        if (left == 0)
        {
            _mountpoints.Remove(key.Mountpoint);
        }
        else
        {
            _mountpoints[key.Mountpoint] = left;
        }
    }

    internal static int FindTopic(ImmutableArray<Subscription> subscriptions, string topic)
    {
        int low = 0, high = subscriptions.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var order = string.CompareOrdinal(subscriptions[middle].Topic, topic);
            if (order == 0)
            {
                return middle;
            }
            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return ~low;
    }
}
