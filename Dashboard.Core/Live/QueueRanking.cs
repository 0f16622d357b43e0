using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Core.Live;

/// <summary>A queue in a ranking: its key and how many messages it holds.</summary>
/// <param name="Key">The queue.</param>
/// <param name="Messages">Messages queued (listed or only counted).</param>
/// <param name="Marks">The queue-health thresholds it is at or over.</param>
public readonly record struct RankedQueue(QueueKey Key, long Messages, QueueMarks Marks);

/// <summary>The wall's "Largest queues" and "Flapping clients" panels (docs/operator-tools.md).</summary>
public static class QueueRanking
{
    /// <summary>
    /// The <paramref name="count"/> queues with the most messages that <paramref name="matcher"/> lets
    /// through, largest first (equal sizes in the grid's row order); empty queues never rank. One walk of a snapshot: linear in
    /// the queues, with a buffer of <paramref name="count"/>.
    /// </summary>
    public static IReadOnlyList<RankedQueue> Largest(SessionStore store, QueueMatcher matcher, int count)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var top = new List<RankedQueue>(count + 1);
        using var snapshot = store.OpenSnapshot();
        foreach (var queue in snapshot.Queues())
        {
            var messages = queue.MessageCount;
            if (messages == 0 || (top.Count == count && messages <= top[^1].Messages))
            {
                continue;
            }
            if (!matcher.Matches(snapshot.NodeName, queue))
            {
                continue;
            }
            // Queues come in row order, so among equal sizes the earlier one stays ahead.
            var at = top.FindIndex(ranked => ranked.Messages < messages);
            top.Insert(at < 0 ? top.Count : at, new RankedQueue(queue.Key, messages, queue.Marks));
            if (top.Count > count)
            {
                top.RemoveAt(top.Count - 1);
            }
        }
        return top;
    }

    /// <summary>
    /// The worst flapping clients that <paramref name="matcher"/> lets through: a scoped wall only shows
    /// clients whose queue it can see (a clean client between connects has none), the whole node's wall all.
    /// </summary>
    public static IReadOnlyList<FlappingClient> Flapping(FlapMonitor monitor, SessionStore store, QueueMatcher matcher, int count)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(matcher);
        var worst = monitor.Worst(matcher.MatchesAll ? count : FlapMonitor.MaxTracked);
        return matcher.MatchesAll
            ? worst
            : [.. worst.Where(client => store.Get(client.Key) is { } queue && matcher.Matches(store.NodeName, queue)).Take(count)];
    }
}
