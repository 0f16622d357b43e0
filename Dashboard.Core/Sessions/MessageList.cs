using System.Collections;
using System.Runtime.CompilerServices;

namespace Dashboard.Core.Sessions;

/// <summary>
/// A queue's messages, oldest first, immutable like the rest of a <see cref="QueueState"/>. Successive
/// states of one queue share one array (docs/store.md, "Queued messages"): a message added at the end goes
/// into the array's next free slot when no later state has taken it, and the oldest message leaves by
/// moving the start, so a queue hundreds deep costs no copy per message queued or delivered. Each list sees
/// only its own window of the array; a slot once written is never written again.
/// </summary>
/// <remarks>
/// One writer (the store's) adds; any thread reads. A list made by <see cref="Add"/> is handed to readers
/// only after its slot is written, through the store's publication of the new state.
/// </remarks>
[CollectionBuilder(typeof(MessageList), nameof(Create))]
public readonly struct MessageList : IReadOnlyList<QueuedMessage>, IEquatable<MessageList>
{
    private readonly Shared? _shared;
    private readonly int _start;
    private readonly int _count;

    private MessageList(Shared shared, int start, int count)
    {
        _shared = shared;
        _start = start;
        _count = count;
    }

    /// <summary>The empty list.</summary>
    public static MessageList Empty => default;

    /// <summary>A list of <paramref name="messages"/>, in that order.</summary>
    public static MessageList Create(ReadOnlySpan<QueuedMessage> messages)
    {
        if (messages.IsEmpty)
        {
            return default;
        }
        var shared = new Shared(messages.ToArray());
        shared.Used = messages.Length;
        return new MessageList(shared, 0, messages.Length);
    }

    /// <summary>A list of <paramref name="messages"/>, in their order.</summary>
    public static MessageList From(IEnumerable<QueuedMessage> messages) => messages switch
    {
        MessageList list => list,
        _ => Create([.. messages]),
    };

    /// <summary>How many messages.</summary>
    public int Length => _count;

    /// <inheritdoc/>
    public int Count => _count;

    /// <summary>Whether there are none.</summary>
    public bool IsEmpty => _count == 0;

    /// <inheritdoc/>
    public QueuedMessage this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
            return _shared!.Items[_start + index];
        }
    }

    /// <summary>The messages as a span (read only).</summary>
    public ReadOnlySpan<QueuedMessage> AsSpan() => _count == 0 ? [] : new ReadOnlySpan<QueuedMessage>(_shared!.Items, _start, _count);

    /// <summary>This list with <paramref name="message"/> added at the end.</summary>
    public MessageList Add(QueuedMessage message)
    {
        var end = _start + _count;
        if (_shared is { } shared && shared.Used == end && end < shared.Items.Length)
        {
            // The next slot is free: no later list took it. Claim it, then write it; lists made before
            // this one end before it and never read it.
            shared.Used = end + 1;
            shared.Items[end] = message;
            return new MessageList(shared, _start, _count + 1);
        }
        // Full, or another list already went on from here: copy the window into room for as many again.
        var items = new QueuedMessage[Math.Max(4, _count * 2)];
        AsSpan().CopyTo(items);
        items[_count] = message;
        return new MessageList(new Shared(items) { Used = _count + 1 }, 0, _count + 1);
    }

    /// <summary>This list without the message at <paramref name="index"/>.</summary>
    public MessageList RemoveAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
        if (_count == 1)
        {
            return default;
        }
        if (index == 0)
        {
            return new MessageList(_shared!, _start + 1, _count - 1);
        }
        if (index == _count - 1)
        {
            return new MessageList(_shared!, _start, _count - 1);
        }
        var items = new QueuedMessage[Math.Max(4, _count - 1)];
        var span = AsSpan();
        span[..index].CopyTo(items);
        span[(index + 1)..].CopyTo(items.AsSpan(index));
        return new MessageList(new Shared(items) { Used = _count - 1 }, 0, _count - 1);
    }

    /// <summary>The same messages in the same order (the same objects).</summary>
    public bool Equals(MessageList other) => AsSpan().SequenceEqual(other.AsSpan());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MessageList other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _count;

    /// <summary>Whether two lists hold the same messages in the same order.</summary>
    public static bool operator ==(MessageList left, MessageList right) => left.Equals(right);

    /// <summary>Whether two lists differ.</summary>
    public static bool operator !=(MessageList left, MessageList right) => !left.Equals(right);

    /// <summary>Enumerates without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<QueuedMessage> IEnumerable<QueuedMessage>.GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _shared!.Items[_start + i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<QueuedMessage>)this).GetEnumerator();

    /// <summary>The enumerator of <see cref="MessageList"/>.</summary>
    public struct Enumerator
    {
        private readonly MessageList _list;
        private int _index;

        internal Enumerator(MessageList list)
        {
            _list = list;
            _index = -1;
        }

        /// <summary>The current message.</summary>
        public readonly QueuedMessage Current => _list._shared!.Items[_list._start + _index];

        /// <summary>Moves to the next message.</summary>
        public bool MoveNext() => ++_index < _list._count;
    }

    private sealed class Shared(QueuedMessage[] items)
    {
        public readonly QueuedMessage[] Items = items;

        // Slots taken so far: a list may add in place only where its window ends here.
        public int Used;
    }
}
