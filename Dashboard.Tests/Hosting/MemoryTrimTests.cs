using Dashboard.Hosting;

namespace Dashboard.Tests.Hosting;

/// <summary>When the app gives spare memory back: much more committed than used, and quiet.</summary>
public sealed class MemoryTrimTests
{
    private const long Mb = 1024 * 1024;

    [Theory]
    // After a storm: 184 MB held for a 50 MB heap, little allocated since.
    [InlineData(184, 50, 0, 5, true)]
    // After a storm, seen in the storm test: 77 MB held for a 72 MB heap of which 28 MB are free space
    // between survivors, so 44 MB live and 33 MB spare.
    [InlineData(77, 72, 28, 5, true)]
    // The same heap without the free space: 5 MB spare is not worth a collection.
    [InlineData(77, 72, 0, 5, false)]
    // Busy: the spare is the room the app collects in.
    [InlineData(184, 50, 0, 400, false)]
    [InlineData(77, 72, 28, 40, false)]
    // Little spare, or spare small next to a big heap (a million sessions).
    [InlineData(60, 50, 0, 0, false)]
    [InlineData(600, 500, 0, 0, false)]
    [InlineData(1200, 1100, 150, 0, false)]
    public void ShouldTrim(long committedMb, long heapMb, long fragmentedMb, long allocatedMb, bool expected) =>
        Assert.Equal(expected, MemoryTrim.ShouldTrim(committedMb * Mb, heapMb * Mb, fragmentedMb * Mb, allocatedMb * Mb));
}
