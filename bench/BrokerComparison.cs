using System.Globalization;
using MQTTnet.Protocol;

namespace Dashboard.Bench;

/// <summary>
/// <c>brokers</c> mode (BENCHMARKS.md, "Embedded broker against its peers"): the same load, in one run, against the published dashboard
/// (tracking and persistence on), a plain MQTTnet 5 server, Debian's mosquitto and a single VerneMQ
/// node, each a process of its own on 127.0.0.1, one after the other.
/// </summary>
/// <remarks>
/// <c>brokers --app=/tmp/i12-app/Dashboard.dll [--vernemq=../shared/vernemq] [--only=dashboard,plain,mosquitto,vernemq]
/// [--clients=1000] [--deliveries=20000] [--idle=2000] [--rate=200] [--seconds=10] [--rounds=1] [--queue=100000]
/// [--tests=memory,connects,qos0-fanin,qos0-fanout,qos1-fanin,qos1-fanout,latency] [--base=/tmp/other-app/Dashboard.dll] [--warmup=4000]</c>.
/// With several rounds each broker is started again per round and the best value of each column is kept.
/// <c>--base</c> adds a second build of the app as broker <c>base</c> (list it in <c>--only</c>), so a change
/// and its parent meet the same load in one run; <c>--tests</c> runs only the named tests.
/// </remarks>
internal static class BrokerComparison
{
    private sealed record Result(
        double Connects, double Qos0FanIn, double Qos0FanOut, double Qos1FanIn, double Qos1FanOut, double P50, double P99, double BytesPerIdle)
    {
        /// <summary>The broker process's CPU time per delivery in QoS 1 fan-in, microseconds (steadier than the rate on a busy machine).</summary>
        public double Qos1FanInCpu { get; init; } = double.NaN;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var app = Arg(args, "app") ?? "/tmp/i12-app/Dashboard.dll";
        var shared = Arg(args, "vernemq") ?? Path.Combine("..", "shared", "vernemq");
        var only = (Arg(args, "only") ?? "dashboard,plain,mosquitto,vernemq").Split(',');
        var clients = Int(args, "clients", 1000);
        var deliveries = Int(args, "deliveries", 20_000);
        var idle = Int(args, "idle", 2000);
        var rate = Int(args, "rate", 200);
        var seconds = Int(args, "seconds", 10);
        var rounds = Int(args, "rounds", 1);
        // Every broker's per-client queue bound, raised above a test's size for all of them alike: MQTT 3.1.1
        // has no flow control from a subscriber back to publishers, so with the defaults (1,000 each)
        // a broker that acknowledges faster than its subscriber reads drops messages, and the tests would
        // compare different amounts of work.
        var queue = Int(args, "queue", 100_000);
        var baseApp = Arg(args, "base");
        // QoS 1 fan-in messages before measuring; the default is short for the app, which still compiles
        // its tier-1 code during the first tests (BENCHMARKS.md, "QoS 1 fan-in: the durable wait").
        var warmup = Int(args, "warmup", 4000);
        BrokerLoad.ClientBuffer = Int(args, "client-buffer", 0);
        var tests = new HashSet<string>((Arg(args, "tests") ?? string.Join(',', AllTests)).Split(','), StringComparer.Ordinal);
        if (tests.FirstOrDefault(t => !AllTests.Contains(t)) is { } unknown)
        {
            Console.Error.WriteLine($"Unknown test {unknown}; the tests are {string.Join(',', AllTests)}");
            return 1;
        }
        if (!File.Exists(app))
        {
            Console.Error.WriteLine($"No app at {app}: dotnet publish Dashboard -c Release -o /tmp/i12-app, or pass --app=.../Dashboard.dll");
            return 1;
        }
        Console.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine($"connects: {clients} persistent MQTT 3.1.1 clients, 32 at a time; throughput: {deliveries} deliveries per test, 64-byte payload "
            + $"(fan-in 10 publishers -> 1 subscriber, fan-out 1 publisher -> 10 subscribers, QoS 1 with 16 in flight per publisher); "
            + $"latency: QoS 1, {rate} msg/s for {seconds} s after 1 s warm-up; memory: {idle} idle connections; queue bound {queue} per client; {rounds} round(s)");

        var results = new Dictionary<string, List<Result>>();
        var names = new Dictionary<string, string>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var which in only)
            {
                await using BrokerProcess broker = which switch
                {
                    "dashboard" => new DashboardBroker(app, queue),
                    "base" => new DashboardBroker(baseApp ?? throw new ArgumentException("--only=base needs --base=.../Dashboard.dll"), queue, name: "dashboard, base build"),
                    "plain" => new PlainMqttNetBroker(queue),
                    "mosquitto" => new MosquittoBroker(queue),
                    "vernemq" => new VerneMqBroker(shared, queue),
                    _ => throw new ArgumentException($"unknown broker {which}"),
                };
                names[which] = broker.Name;
                await broker.StartAsync();
                Console.WriteLine($"{broker.Name}: port {broker.Port}, pid {broker.Pid}, load average {LoadAverage()}");
                var result = await MeasureAsync(broker, $"r{round}", tests, warmup, clients, deliveries, idle, rate, seconds);
                Console.WriteLine($"  done, load average {LoadAverage()}");
                if (which != "plain" && results.TryGetValue("plain", out var plainRounds) && plainRounds.Count == round + 1)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  this round's QoS 1 fan-in against plain MQTTnet's: {result.Qos1FanIn / plainRounds[round].Qos1FanIn:F2} of the rate, {result.Qos1FanInCpu / plainRounds[round].Qos1FanInCpu:F2} of the CPU per delivery"));
                }
                (results.TryGetValue(which, out var list) ? list : results[which] = []).Add(result);
            }
        }

        var best = results.ToDictionary(r => r.Key, r => new Result(
            r.Value.Max(x => x.Connects), r.Value.Max(x => x.Qos0FanIn), r.Value.Max(x => x.Qos0FanOut), r.Value.Max(x => x.Qos1FanIn),
            r.Value.Max(x => x.Qos1FanOut), r.Value.Min(x => x.P50), r.Value.Min(x => x.P99), r.Value.Min(x => x.BytesPerIdle)));
        best.TryGetValue("plain", out var plain);
        Console.WriteLine();
        Console.WriteLine("| broker | connects/s | QoS 0 fan-in msg/s | QoS 0 fan-out deliveries/s | QoS 1 fan-in msg/s | QoS 1 fan-out deliveries/s | latency p50 ms | latency p99 ms | RSS per idle connection |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (which, r) in best)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {names[which]} | {Cell(r.Connects, plain?.Connects, "N0")} | {Cell(r.Qos0FanIn, plain?.Qos0FanIn, "N0")} | {Cell(r.Qos0FanOut, plain?.Qos0FanOut, "N0")} | {Cell(r.Qos1FanIn, plain?.Qos1FanIn, "N0")} | {Cell(r.Qos1FanOut, plain?.Qos1FanOut, "N0")} | {Cell(r.P50, plain?.P50, "F1")} | {Cell(r.P99, plain?.P99, "F1")} | {Cell(r.BytesPerIdle / 1024, plain?.BytesPerIdle / 1024, "F1")} KB |"));
        }
        Console.WriteLine("(in brackets: ratio to plain MQTTnet)");
        if (results.TryGetValue("plain", out var plainResults))
        {
            foreach (var (which, list) in results.Where(r => r.Key != "plain"))
            {
                // Round by round: the load of a shared machine moves between rounds more than within one.
                var pairs = list.Zip(plainResults);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{names[which]}, QoS 1 fan-in per round against plain: rate {string.Join(" ", pairs.Select(p => (p.First.Qos1FanIn / p.Second.Qos1FanIn).ToString("F2", CultureInfo.InvariantCulture)))}; CPU per delivery {string.Join(" ", pairs.Select(p => (p.First.Qos1FanInCpu / p.Second.Qos1FanInCpu).ToString("F2", CultureInfo.InvariantCulture)))}"));
            }
        }
        Console.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {LoadAverage()}");
        return 0;
    }

    private static readonly string[] AllTests = ["memory", "connects", "qos0-fanin", "qos0-fanout", "qos1-fanin", "qos1-fanout", "latency"];

    private static async Task<Result> MeasureAsync(
        BrokerProcess broker, string round, HashSet<string> selected, int warmup, int clients, int deliveries, int idle, int rate, int seconds)
    {
        var port = broker.Port;
        // Warm-up (not counted): the .NET brokers compile their paths here, as Erlang and C need not.
        await BrokerLoad.ConnectsPerSecondAsync(port, $"{round}-warm-c", 200);
        await BrokerLoad.ThroughputAsync(port, $"{round}-warm-t", MqttQualityOfServiceLevel.AtLeastOnce, 10, 1, warmup);

        // Memory first, before the throughput tests grow the heaps. A test left out is NaN ("-" in the table).
        var bytesPerIdle = double.NaN;
        if (selected.Contains("memory"))
        {
            bytesPerIdle = await BrokerLoad.BytesPerIdleConnectionAsync(broker, $"{round}-m", idle);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  RSS per idle connection: {bytesPerIdle / 1024:F1} KB"));
        }
        var connects = double.NaN;
        if (selected.Contains("connects"))
        {
            connects = await BrokerLoad.ConnectsPerSecondAsync(port, $"{round}-c", clients);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  connects/s: {connects:N0}"));
        }
        var rates = new[] { double.NaN, double.NaN, double.NaN, double.NaN };
        var cpu = new[] { double.NaN, double.NaN, double.NaN, double.NaN };
        var tests = new (string Key, string Name, MqttQualityOfServiceLevel Qos, int Publishers, int Subscribers)[]
        {
            ("qos0-fanin", "QoS 0 fan-in", MqttQualityOfServiceLevel.AtMostOnce, 10, 1),
            ("qos0-fanout", "QoS 0 fan-out", MqttQualityOfServiceLevel.AtMostOnce, 1, 10),
            ("qos1-fanin", "QoS 1 fan-in", MqttQualityOfServiceLevel.AtLeastOnce, 10, 1),
            ("qos1-fanout", "QoS 1 fan-out", MqttQualityOfServiceLevel.AtLeastOnce, 1, 10),
        };
        for (var i = 0; i < tests.Length; i++)
        {
            var (key, name, qos, publishers, subscribers) = tests[i];
            if (!selected.Contains(key))
            {
                continue;
            }
            var cpuBefore = TlsConnects.CpuTime(broker.Pid);
            var result = await BrokerLoad.ThroughputAsync(port, $"{round}-t{i}", qos, publishers, subscribers, deliveries);
            rates[i] = result.PerSecond;
            cpu[i] = (TlsConnects.CpuTime(broker.Pid) - cpuBefore).TotalMicroseconds / result.Delivered;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name}: {result.PerSecond:N0} deliveries/s ({result.Delivered} of {result.Expected} delivered in {result.Elapsed.TotalSeconds:F2} s), broker CPU {cpu[i]:F1} µs per delivery"));
        }
        var (p50, p99) = (double.NaN, double.NaN);
        if (selected.Contains("latency"))
        {
            (p50, p99, var samples, var lost) = await BrokerLoad.LatencyAsync(port, $"{round}-l", rate, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  latency: p50 {p50:F2} ms, p99 {p99:F2} ms ({samples} samples, {lost} lost)"));
        }
        return new Result(connects, rates[0], rates[1], rates[2], rates[3], p50, p99, bytesPerIdle) { Qos1FanInCpu = cpu[2] };
    }

    private static string Cell(double value, double? plain, string format) =>
        double.IsNaN(value) ? "-"
        : plain is { } p && p != 0 && !double.IsNaN(p)
            ? string.Create(CultureInfo.InvariantCulture, $"{value.ToString(format, CultureInfo.InvariantCulture)} ({value / p:F2})")
            : value.ToString(format, CultureInfo.InvariantCulture);

    internal static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    internal static string? Arg(string[] args, string name) =>
        args.FirstOrDefault(a => a.StartsWith($"--{name}=", StringComparison.Ordinal))?[(name.Length + 3)..];

    internal static int Int(string[] args, string name, int fallback) =>
        Arg(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
