namespace Dashboard.Core.Sessions;

/// <summary>
/// A client's recent connect times, oldest first, as the store recorded them. Immutable: a connect
/// makes a new one. Only times within the policy's window are kept (at most <see cref="FlapPolicy.MaxKept"/>),
/// and the history carries over when a clean session ends and the client comes back, so a client that
/// reconnects with a clean session every few seconds is seen as the flapping client it is.
/// </summary>
public sealed class ConnectHistory
{
    // A first connect's time is held in the object itself: a million clients connecting once then cost
    // one object each, not two (docs/store.md, "Garbage collection").
    private readonly long[]? _times;
    private readonly long _only;

    private ConnectHistory(long[] times, FlapPolicy policy)
    {
        _times = times;
        Policy = policy;
    }

    private ConnectHistory(long only, FlapPolicy policy)
    {
        _only = only;
        Policy = policy;
    }

    /// <summary>The policy the history is judged by.</summary>
    public FlapPolicy Policy { get; }

    /// <summary>The connect times kept, Unix epoch milliseconds, oldest first.</summary>
    public ReadOnlySpan<long> Times => _times is { } times ? times : new ReadOnlySpan<long>(in _only);

    /// <summary>The latest connect, Unix epoch milliseconds.</summary>
    public long Latest => _times?[^1] ?? _only;

    /// <summary>Connects within the window now.</summary>
    public int Reconnects => CountAt(Policy.NowMs);

    /// <summary>Whether the client is flapping now.</summary>
    public bool IsFlapping => CountAt(Policy.NowMs) > Policy.Connects;

    /// <summary>Connects within the window that ends at <paramref name="nowMs"/>.</summary>
    public int CountAt(long nowMs)
    {
        var from = nowMs - Policy.WindowMs;
        var count = 0;
        var times = Times;
        for (var i = times.Length - 1; i >= 0 && times[i] > from; i--)
        {
            count++;
        }
        return count;
    }

    /// <summary>
    /// When the client stops flapping if it does not connect again (Unix ms); null when it is not
    /// flapping at <paramref name="nowMs"/>.
    /// </summary>
    public long? FlappingUntil(long nowMs)
    {
        var count = CountAt(nowMs);
        if (count <= Policy.Connects)
        {
            return null;
        }
        // Once the connect that makes the count exceed the threshold leaves the window, it no longer does.
        var times = Times;
        return times[times.Length - Policy.Connects - 1] + Policy.WindowMs;
    }

    /// <summary>The first connect of a client.</summary>
    public static ConnectHistory First(long atMs, FlapPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new ConnectHistory(atMs, policy);
    }

    /// <summary>This history with one more connect at <paramref name="atMs"/>, older times outside the window dropped.</summary>
    public ConnectHistory Add(long atMs, FlapPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var from = atMs - policy.WindowMs;
        var kept = Times;
        var start = 0;
        while (start < kept.Length && kept[start] <= from)
        {
            start++;
        }
        start = Math.Max(start, kept.Length - (FlapPolicy.MaxKept - 1));
        var times = new long[kept.Length - start + 1];
        kept[start..].CopyTo(times);
        times[^1] = Math.Max(atMs, kept[^1]);
        return new ConnectHistory(times, policy);
    }
}
