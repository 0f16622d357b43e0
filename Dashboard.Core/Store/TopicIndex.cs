using System.Runtime.InteropServices;
using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

/// <summary>
/// Which queues have a subscription with exactly a given topic filter, in key order. Most topics have
/// one subscriber, so the value is the handle itself until a second one arrives; then a sorted index,
/// so a query for a topic with many subscribers reads only as far as its limit needs.
/// Not thread-safe; the store guards it with its index lock.
/// </summary>
/// <remarks>
/// A topic with several subscribers also keeps the <see cref="Subscription"/> objects its subscribers
/// share: a queue subscribing to it gets the one already held when the options are the same, so ten
/// thousand subscribers of <c>fleet/42/broadcast</c> hold one topic string and one subscription between
/// them instead of ten thousand of each. That saves memory, keeps a full scan's reads in cache, and
/// lets a query match each shared topic string once (<c>TextMatcher</c>).
/// </remarks>
internal sealed class TopicIndex
{
    /// <summary>Different option sets kept per shared topic (QoS 0–2 and a few MQTT 5 variants).</summary>
    private const int MaxVariants = 4;

    private readonly Dictionary<string, object> _byTopic = new(StringComparer.Ordinal);

    /// <summary>
    /// Indexes <paramref name="handle"/> under the subscription's topic; returns the subscription the
    /// queue should hold: an equal one that other subscribers already share, else this one (with the
    /// shared topic string when there is one).
    /// </summary>
    public Subscription Add(Subscription subscription, QueueHandle handle)
    {
        var topic = subscription.Topic;
        // One hash lookup for both the read and the write (2M topics at 1M queues).
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_byTopic, topic, out var found);
        if (!found)
        {
            slot = handle;
            return subscription;
        }
        var existing = slot!;
        if (existing is Shared shared)
        {
            shared.Subscribers.TryInsert(handle);
            return shared.Variant(subscription);
        }
        var single = (QueueHandle)existing;
        if (ReferenceEquals(single, handle))
        {
            return subscription;
        }
        // A second subscriber: the first one's subscription becomes the shared one.
        var first = single.Current is { IsRemoved: false } state && SessionStore.FindTopic(state.Subscriptions, topic) is >= 0 and var position
            ? state.Subscriptions[position]
            : subscription;
        var many = new Shared(first);
        many.Subscribers.Insert(single);
        many.Subscribers.Insert(handle);
        slot = many;
        return many.Variant(subscription);
    }

    public void Remove(string topic, QueueHandle handle)
    {
        if (!_byTopic.TryGetValue(topic, out var existing))
        {
            return;
        }
        if (existing is Shared shared)
        {
            var index = shared.Subscribers;
            if (index.Find(handle.Key) == handle)
            {
                index.Remove(handle.Key);
            }
            if (index.Count == 1)
            {
                Span<QueueHandle> last = new QueueHandle[1];
                index.CopyAfter(null, last);
                _byTopic[topic] = last[0];
            }
        }
        else if (ReferenceEquals(existing, handle))
        {
            _byTopic.Remove(topic);
        }
    }

    /// <summary>Copies this topic's handles in key order after <paramref name="after"/>; returns how many.</summary>
    public int CopyAfter(string topic, QueueKey? after, Span<QueueHandle> destination, IndexCursor? cursor = null)
    {
        if (!_byTopic.TryGetValue(topic, out var existing))
        {
            return 0;
        }
        if (existing is Shared shared)
        {
            return shared.Subscribers.CopyAfter(after, destination, cursor);
        }
        var single = (QueueHandle)existing;
        if (after is { } key && single.Key.CompareTo(key) <= 0)
        {
            return 0;
        }
        destination[0] = single;
        return 1;
    }

    /// <summary>A topic with several subscribers: them, in key order, and the subscriptions they share.</summary>
    private sealed class Shared(Subscription first)
    {
        private Subscription[] _variants = [first];

        public SortedQueueIndex Subscribers { get; } = new();

        /// <summary>The shared subscription equal to <paramref name="subscription"/>, kept from now on if there is room.</summary>
        public Subscription Variant(Subscription subscription)
        {
            foreach (var variant in _variants)
            {
                if (variant == subscription)
                {
                    return variant;
                }
            }
            // Same topic text, so the shared string can stand in for this one's.
            var shared = ReferenceEquals(subscription.Topic, _variants[0].Topic) ? subscription : subscription with { Topic = _variants[0].Topic };
            if (_variants.Length < MaxVariants)
            {
                _variants = [.. _variants, shared];
            }
            return shared;
        }
    }
}
