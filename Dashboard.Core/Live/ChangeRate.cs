namespace Dashboard.Core.Live;

/// <summary>
/// Connects and disconnects over the last minute, in one-second slots: constant memory however many
/// events arrive. Thread-safe; adding is cheap enough for a store listener.
/// </summary>
public sealed class ChangeRate
{
    private const int Slots = 60;
    private readonly long[] _seconds = new long[Slots];
    private readonly long[] _connects = new long[Slots];
    private readonly long[] _disconnects = new long[Slots];
    private readonly Lock _lock = new();

    /// <summary>Counts events that happened at <paramref name="at"/>.</summary>
    public void Add(DateTimeOffset at, long connects, long disconnects)
    {
        if (connects == 0 && disconnects == 0)
        {
            return;
        }
        var second = at.ToUnixTimeSeconds();
        var slot = (int)(second % Slots);
        lock (_lock)
        {
            if (_seconds[slot] != second)
            {
                _seconds[slot] = second;
                _connects[slot] = 0;
                _disconnects[slot] = 0;
            }
            _connects[slot] += connects;
            _disconnects[slot] += disconnects;
        }
    }

    /// <summary>Connects and disconnects in the 60 seconds up to <paramref name="now"/>.</summary>
    public (long Connects, long Disconnects) LastMinute(DateTimeOffset now)
    {
        var current = now.ToUnixTimeSeconds();
        long connects = 0, disconnects = 0;
        lock (_lock)
        {
            for (var i = 0; i < Slots; i++)
            {
                if (_seconds[i] > current - Slots && _seconds[i] <= current)
                {
                    connects += _connects[i];
                    disconnects += _disconnects[i];
                }
            }
        }
        return (connects, disconnects);
    }
}
