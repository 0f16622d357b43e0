namespace Dashboard.Core.Live;

/// <summary>One point of an online-sessions chart: the highest count seen in its interval.</summary>
/// <param name="At">The start of the interval.</param>
/// <param name="Online">The highest number of sessions online seen in it.</param>
public readonly record struct HistoryPoint(DateTimeOffset At, long Online);

/// <summary>
/// Online sessions over time, in bounded memory: the last hour at a fixed step, and everything since
/// start at a step that doubles whenever the series would outgrow its capacity. Thread-safe.
/// </summary>
public sealed class OnlineHistory
{
    private readonly Lock _lock = new();
    private readonly TimeSpan _step;
    private readonly int _capacity;
    private readonly List<HistoryPoint> _recent = [];
    private readonly List<HistoryPoint> _sinceStart = [];
    private TimeSpan _sinceStartStep;

    /// <summary>Creates a history with <paramref name="step"/> resolution and at most <paramref name="capacity"/> points per series.</summary>
    public OnlineHistory(TimeSpan? step = null, int capacity = 360)
    {
        _step = step ?? TimeSpan.FromSeconds(10);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_step, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _capacity = capacity;
        _sinceStartStep = _step;
    }

    /// <summary>The span the recent series covers.</summary>
    public static TimeSpan RecentSpan { get; } = TimeSpan.FromHours(1);

    /// <summary>Records a sample of the number of sessions online.</summary>
    public void Record(DateTimeOffset at, long online)
    {
        lock (_lock)
        {
            Add(_recent, at, online, _step);
            var expired = _recent.FindIndex(p => p.At > at - RecentSpan);
            _recent.RemoveRange(0, expired < 0 ? _recent.Count : expired);
            AddSinceStart(at, online);
        }
    }

    /// <summary>The points of the last hour up to <paramref name="now"/>, oldest first.</summary>
    public IReadOnlyList<HistoryPoint> LastHour(DateTimeOffset now)
    {
        lock (_lock)
        {
            return [.. _recent.Where(p => p.At > now - RecentSpan)];
        }
    }

    /// <summary>Every point since the first sample, oldest first, at the current (coarsening) step.</summary>
    public IReadOnlyList<HistoryPoint> SinceStart()
    {
        lock (_lock)
        {
            return [.. _sinceStart];
        }
    }

    private static DateTimeOffset Floor(DateTimeOffset at, TimeSpan step) =>
        new(at.UtcTicks - (at.UtcTicks % step.Ticks), TimeSpan.Zero);

    private static void Add(List<HistoryPoint> series, DateTimeOffset at, long online, TimeSpan step)
    {
        var start = Floor(at, step);
        if (series.Count > 0 && series[^1].At >= start)
        {
            // Same interval: keep the peak.
            series[^1] = series[^1] with { Online = Math.Max(series[^1].Online, online) };
            return;
        }
        series.Add(new HistoryPoint(start, online));
    }

    private void AddSinceStart(DateTimeOffset at, long online)
    {
        var start = Floor(at, _sinceStartStep);
        if (_sinceStart.Count > 0 && _sinceStart[^1].At >= start)
        {
            var last = _sinceStart[^1];
            _sinceStart[^1] = last with { Online = Math.Max(last.Online, online) };
            return;
        }
        _sinceStart.Add(new HistoryPoint(start, online));
        if (_sinceStart.Count > _capacity)
        {
            // Halve the resolution: merge neighbours into intervals of twice the step, keeping peaks.
            _sinceStartStep *= 2;
            var merged = _sinceStart
                .GroupBy(p => Floor(p.At, _sinceStartStep))
                .Select(g => new HistoryPoint(g.Key, g.Max(p => p.Online)))
                .ToList();
            _sinceStart.Clear();
            _sinceStart.AddRange(merged);
        }
    }
}
