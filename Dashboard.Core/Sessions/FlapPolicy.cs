namespace Dashboard.Core.Sessions;

/// <summary>
/// When a client counts as flapping: it connected more than <see cref="Connects"/> times within
/// <see cref="Window"/> (docs/operator-tools.md). One per store; every queue's
/// <see cref="ConnectHistory"/> points at it.
/// </summary>
public sealed class FlapPolicy
{
    /// <summary>Connects allowed within the window before a client is flapping, unless configured.</summary>
    public const int DefaultConnects = 5;

    /// <summary>The window unless configured: five minutes.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(5);

    /// <summary>The most connect times one client keeps; a client reconnecting faster shows this many.</summary>
    public const int MaxKept = 1000;

    /// <summary>Creates a policy; throws when a value is out of range.</summary>
    public FlapPolicy(int connects = DefaultConnects, TimeSpan? window = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connects, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(connects, MaxKept - 1);
        var length = window ?? DefaultWindow;
        ArgumentOutOfRangeException.ThrowIfLessThan(length, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, TimeSpan.FromDays(1));
        Connects = connects;
        Window = length;
        WindowMs = (long)length.TotalMilliseconds;
        Time = time ?? TimeProvider.System;
    }

    /// <summary>The default policy on the system clock.</summary>
    public static FlapPolicy Default { get; } = new();

    /// <summary>More connects than this within the window make a client flapping.</summary>
    public int Connects { get; }

    /// <summary>How far back connects count.</summary>
    public TimeSpan Window { get; }

    /// <summary>The window in milliseconds.</summary>
    public long WindowMs { get; }

    /// <summary>The clock the window is measured on.</summary>
    public TimeProvider Time { get; }

    /// <summary>Now, Unix epoch milliseconds, on <see cref="Time"/>.</summary>
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();
}
