using Dashboard.Hosting;

namespace Dashboard.Tests.Hosting;

/// <summary>When the app gives spare memory back: much more committed than used, and quiet.</summary>
public sealed class MemoryTrimTests
{
    private const long Mb = 1024 * 1024;

    [Theory]
    // After a storm: 184 MB held for a 50 MB heap, little allocated since.
    [InlineData(184, 50, 5, true)]
    // Busy: the spare is the room the app collects in.
    [InlineData(184, 50, 400, false)]
    // Little spare, or spare small next to a big heap.
    [InlineData(90, 50, 0, false)]
    [InlineData(600, 500, 0, false)]
    public void ShouldTrim(long committedMb, long heapMb, long allocatedMb, bool expected) =>
        Assert.Equal(expected, MemoryTrim.ShouldTrim(committedMb * Mb, heapMb * Mb, allocatedMb * Mb));
}
