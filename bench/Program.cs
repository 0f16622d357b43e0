using BenchmarkDotNet.Running;
using Dashboard.Bench;

// Named modes are plain Stopwatch/GC programs (see BENCHMARKS.md); anything else goes to BenchmarkDotNet
// (for example: --filter '*QueryBenchmarks*').
return args switch
{
    ["throughput", .. var rest] => Throughput.Run(rest),
    ["memory", .. var rest] => MemoryUse.Run(rest),
    ["breakdown", .. var rest] => Breakdown.Run(rest),
    ["repeat", .. var rest] => Repeat.Run(rest),
    ["build", .. var rest] => BuildRepeat.Run(rest),
    ["gc-probe", .. var rest] => GcProbe.Run(rest),
    ["live-latency", .. var rest] => LiveFeedLatency.RunAsync(rest).GetAwaiter().GetResult(),
    ["live-memory", .. var rest] => LiveFeedMemory.Run(rest),
    ["grid", .. var rest] => GridRefresh.Run(rest),
    ["grid-load", .. var rest] => GridLoad.RunAsync(rest).GetAwaiter().GetResult(),
    ["page-cpu", .. var rest] => GridLoad.RunPageCpuAsync(rest).GetAwaiter().GetResult(),
    ["broker", .. var rest] => BrokerThroughput.RunAsync(rest).GetAwaiter().GetResult(),
    ["signin-timing", .. var rest] => SignInTiming.Run(rest),
    ["vernemq-mirror", .. var rest] => VerneMqMirror.RunAsync(rest).GetAwaiter().GetResult(),
    ["vernemq-latency", .. var rest] => VerneMqLatency.RunAsync(rest).GetAwaiter().GetResult(),
    ["tls-connects", .. var rest] => TlsConnects.RunAsync(rest).GetAwaiter().GetResult(),
    ["brokers", .. var rest] => BrokerComparison.RunAsync(rest).GetAwaiter().GetResult(),
    ["plain-broker", .. var rest] => PlainBroker.RunAsync(rest).GetAwaiter().GetResult(),
    ["vernemq-grid", .. var rest] => VerneMqGridLatency.RunAsync(rest).GetAwaiter().GetResult(),
    ["vernemq-hooks", .. var rest] => VerneMqHookRate.RunAsync(rest).GetAwaiter().GetResult(),
    ["vernemq-hooks-http", .. var rest] => VerneMqHookHttp.RunAsync(rest).GetAwaiter().GetResult(),
    _ => RunBenchmarks(args),
};

static int RunBenchmarks(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Workload).Assembly).Run(args);
    return 0;
}
