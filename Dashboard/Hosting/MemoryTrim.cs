namespace Dashboard.Hosting;

/// <summary>
/// Gives memory back after a burst. The garbage collector keeps the memory a burst made it grow into
/// (a reconnect storm of 1,000 clients took the app from 214 to 292 MB resident while the live heap
/// stayed at 45 MB): committed but free, or free space between the survivors of its older generation,
/// ready for the next burst; without a compacting collection it is never returned. Every
/// <see cref="Interval"/> this looks at the last collection; when the GC holds much more than the live
/// objects need and the app allocated less than that spare in the interval (so the spare is not the
/// room a busy app collects in), one aggressive, compacting collection returns it to the system
/// (docs/reliability.md, "Memory after a burst").
/// </summary>
internal sealed partial class MemoryTrim(ILogger<MemoryTrim> logger, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>Spare memory below this is left alone: not worth a full collection.</summary>
    public const long MinimumSpare = 16 * 1024 * 1024;

    /// <summary>
    /// Whether to trim: the GC holds <paramref name="committed"/> bytes for a heap of <paramref name="heap"/>
    /// bytes, <paramref name="fragmented"/> of which are free space between live objects, and the app
    /// allocated <paramref name="allocated"/> bytes since the last look. The spare is what the GC holds
    /// beyond the live objects; it must be worth a collection, more than half the live objects (a
    /// collection of a large heap costs more), and more than the app's recent allocation.
    /// </summary>
    public static bool ShouldTrim(long committed, long heap, long fragmented, long allocated)
    {
        var live = heap - fragmented;
        var spare = committed - live;
        return spare >= MinimumSpare && spare > live / 2 && allocated < spare;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var allocated = GC.GetTotalAllocatedBytes();
                var info = GC.GetGCMemoryInfo();
                if (ShouldTrim(info.TotalCommittedBytes, info.HeapSizeBytes, info.FragmentedBytes, allocated - allocatedBefore))
                {
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    var after = GC.GetGCMemoryInfo();
                    LogTrimmed(info.TotalCommittedBytes / 1_048_576, (info.HeapSizeBytes - info.FragmentedBytes) / 1_048_576,
                        after.TotalCommittedBytes / 1_048_576, after.HeapSizeBytes / 1_048_576);
                }
                allocatedBefore = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The app is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Returned spare memory to the system: the GC held {Before} MB for {Live} MB of live objects, now {After} MB for a {Heap} MB heap")]
    private partial void LogTrimmed(long before, long live, long after, long heap);
}
