namespace Dashboard.Core.Store;

/// <summary>
/// Which queues have a subscription with exactly a given topic filter. Most topics have one
/// subscriber, so the value is the handle itself until a second one arrives (saves a set per topic).
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
        else if (existing is HashSet<QueueHandle> set)
        {
            set.Add(handle);
        }
        else if (!ReferenceEquals(existing, handle))
        {
            _byTopic[topic] = new HashSet<QueueHandle> { (QueueHandle)existing, handle };
        }
    }

    public void Remove(string topic, QueueHandle handle)
    {
        if (!_byTopic.TryGetValue(topic, out var existing))
        {
            return;
        }
        if (existing is HashSet<QueueHandle> set)
        {
            set.Remove(handle);
            if (set.Count == 1)
            {
                _byTopic[topic] = set.First();
            }
        }
        else if (ReferenceEquals(existing, handle))
        {
            _byTopic.Remove(topic);
        }
    }

    public void CopyTo(string topic, List<QueueHandle> destination)
    {
        if (!_byTopic.TryGetValue(topic, out var existing))
        {
            return;
        }
        if (existing is HashSet<QueueHandle> set)
        {
            destination.AddRange(set);
        }
        else
        {
            destination.Add((QueueHandle)existing);
        }
    }
}
