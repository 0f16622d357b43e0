using Dashboard.Core.Sessions;

namespace Dashboard.Core.Store;

/// <summary>
/// Which queues have a subscription with exactly a given topic filter, in key order. Most topics have
/// one subscriber, so the value is the handle itself until a second one arrives; then a sorted index,
/// so a query for a topic with many subscribers reads only as far as its limit needs.
/// Not thread-safe; the store guards it with its index lock.
/// </summary>
internal sealed class TopicIndex
{
    private readonly Dictionary<string, object> _byTopic = new(StringComparer.Ordinal);

    public void Add(string topic, QueueHandle handle)
    {
        if (!_byTopic.TryGetValue(topic, out var existing))
        {
            _byTopic[topic] = handle;
        }
        else if (existing is SortedQueueIndex index)
        {
            if (index.Find(handle.Key) is null)
            {
                index.Insert(handle);
            }
        }
        else if (!ReferenceEquals(existing, handle))
        {
            var many = new SortedQueueIndex();
            many.Insert((QueueHandle)existing);
            many.Insert(handle);
            _byTopic[topic] = many;
        }
    }

    public void Remove(string topic, QueueHandle handle)
    {
        if (!_byTopic.TryGetValue(topic, out var existing))
        {
            return;
        }
        if (existing is SortedQueueIndex index)
        {
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
    public int CopyAfter(string topic, QueueKey? after, Span<QueueHandle> destination)
    {
        if (!_byTopic.TryGetValue(topic, out var existing))
        {
            return 0;
        }
        if (existing is SortedQueueIndex index)
        {
            return index.CopyAfter(after, destination);
        }
        var single = (QueueHandle)existing;
        if (after is { } key && single.Key.CompareTo(key) <= 0)
        {
            return 0;
        }
        destination[0] = single;
        return 1;
    }
}
