namespace Dashboard.Core.Sessions;

/// <summary>What a queue may hold before the dashboard marks it (docs/operator-tools.md).</summary>
[Flags]
public enum QueueMarks : byte
{
    /// <summary>Within every threshold.</summary>
    None = 0,
    /// <summary>Queued messages at or over the threshold.</summary>
    Queued = 1,
    /// <summary>Messages in flight (sent, not acknowledged) at or over the threshold.</summary>
    InFlight = 2,
    /// <summary>Dropped messages at or over the threshold.</summary>
    Dropping = 4,
}

/// <summary>
/// Thresholds of queue health. The store marks each queue state as it writes it, so a mark is as
/// current as the queue and costs nothing to query.
/// </summary>
/// <param name="Queued">Queued messages that mark a queue (at or over).</param>
/// <param name="InFlight">Messages in flight that mark a queue (at or over).</param>
/// <param name="Dropped">Dropped messages that mark a queue as dropping (at or over).</param>
public sealed record QueueHealthPolicy(long Queued, long InFlight, long Dropped)
{
    /// <summary>The share of the queue limit that marks a queue unless configured, in percent.</summary>
    public const int DefaultQueuedPercent = 80;

    /// <summary>Messages in flight that mark a queue unless configured.</summary>
    public const int DefaultInFlight = 100;

    /// <summary>Dropped messages that mark a queue unless configured: any.</summary>
    public const int DefaultDropped = 1;

    /// <summary>The defaults for a queue limit of 1,000 messages.</summary>
    public static QueueHealthPolicy Default { get; } = ForLimit(1000);

    /// <summary>Thresholds for a queue limit, with a share of it for queued messages.</summary>
    public static QueueHealthPolicy ForLimit(long maxQueued, int queuedPercent = DefaultQueuedPercent, long inFlight = DefaultInFlight, long dropped = DefaultDropped)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueued, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queuedPercent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(queuedPercent, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dropped, 1);
        return new QueueHealthPolicy(Math.Max(1, (maxQueued * queuedPercent + 99) / 100), inFlight, dropped);
    }

    /// <summary>The marks a queue state earns.</summary>
    public QueueMarks Mark(QueueState queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var marks = QueueMarks.None;
        if (queue.MessageCount >= Queued)
        {
            marks |= QueueMarks.Queued;
        }
        foreach (var session in queue.Sessions)
        {
            if (session.WaitingAcks >= InFlight)
            {
                marks |= QueueMarks.InFlight;
                break;
            }
        }
        if (queue.DroppedMessages >= Dropped)
        {
            marks |= QueueMarks.Dropping;
        }
        return marks;
    }
}
