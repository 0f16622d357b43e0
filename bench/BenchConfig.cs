using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Dashboard.Bench;

/// <summary>
/// A short in-process job: few iterations, since stores of a million queues take seconds to build in
/// [GlobalSetup]; in-process so no second build of Core runs beside other engineers' builds.
/// </summary>
internal sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true))
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            // A forced full collection between iterations walks the whole 1M-queue heap (~1 s each).
            .WithGcForce(false)
            .WithId("ShortInProcess"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
    }
}
