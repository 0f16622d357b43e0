namespace Dashboard.Core.Sessions;

/// <summary>
/// A client's recent connect times, oldest first, as the store recorded them. Immutable: a connect
/// makes a new one. Only times within the policy's window are kept (at most <see cref="FlapPolicy.MaxKept"/>),
/// and the history carries over when a clean session ends and the client comes back, so a client that
/// reconnects with a clean session every few seconds is seen as the flapping client it is.
/// </summary>
public sealed class ConnectHistory
{
    private readonly long[] _times;

    private ConnectHistory(long[] times, FlapPolicy policy)
    {
        _times = times;
        Policy = policy;
    }

    /// <summary>The policy the history is judged by.</summary>
    public FlapPolicy Policy { get; }

    /// <summary>The connect times kept, Unix epoch milliseconds, oldest first.</summary>
    public ReadOnlySpan<long> Times => _times;

    /// <summary>The latest connect, Unix epoch milliseconds.</summary>
    public long Latest => _times[^1];

    /// <summary>Connects within the window now.</summary>
    public int Reconnects => CountAt(Policy.NowMs);

    /// <summary>Whether the client is flapping now.</summary>
    public bool IsFlapping => CountAt(Policy.NowMs) > Policy.Connects;

    /// <summary>Connects within the window that ends at <paramref name="nowMs"/>.</summary>
    public int CountAt(long nowMs)
    {
        var from = nowMs - Policy.WindowMs;
        var count = 0;
        for (var i = _times.Length - 1; i >= 0 && _times[i] > from; i--)
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
        return _times[_times.Length - Policy.Connects - 1] + Policy.WindowMs;
    }

    /// <summary>The first connect of a client.</summary>
    public static ConnectHistory First(long atMs, FlapPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new ConnectHistory([atMs], policy);
    }

    /// <summary>This history with one more connect at <paramref name="atMs"/>, older times outside the window dropped.</summary>
    public ConnectHistory Add(long atMs, FlapPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var from = atMs - policy.WindowMs;
        var start = 0;
        while (start < _times.Length && _times[start] <= from)
        {
            start++;
        }
        start = Math.Max(start, _times.Length - (FlapPolicy.MaxKept - 1));
        var times = new long[_times.Length - start + 1];
        Array.Copy(_times, start, times, 0, _times.Length - start);
        times[^1] = Math.Max(atMs, _times[^1]);
        return new ConnectHistory(times, policy);
    }
}
