using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Dashboard.Core.Query;
using Dashboard.Core.Store;

namespace Dashboard.Bench;

/// <summary>The query goals on stores of N online queues with three subscriptions each (see <see cref="Workload"/>).</summary>
[Config(typeof(BenchConfig))]
public class QueryBenchmarks
{
    private SessionStore _store = null!;
    private SessionQuery _default = null!, _clientId = null!, _topicUnique = null!, _topicShared = null!;
    private SessionQuery _regexSelective = null!, _regexBroad = null!;

    /// <summary>Queue counts: 10k, 100k, 1M, or the comma-separated list in <c>BENCH_QUEUES</c>.</summary>
    public static IEnumerable<int> QueueCounts => Options.QueuesFromEnvironment();

    [ParamsSource(nameof(QueueCounts))]
    public int Queues { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var started = Stopwatch.GetTimestamp();
        _store = Workload.Build(Queues);
        Console.WriteLine($"// Setup: built {Queues:N0} queues in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        var middle = Queues / 2;
        _default = Parse("", rows: 100, limitReached: true);
        _clientId = Parse($"--client_id={Workload.ClientId(middle)}", rows: 1, limitReached: false);
        _topicUnique = Parse($"--topic={Workload.CommandTopic(middle)} --client_id", rows: 1, limitReached: false);
        _topicShared = Parse("--topic=fleet/42/broadcast --client_id", rows: 100, limitReached: Queues > 10_000);
        // Clients whose number ends in 42: 1% of clients, 2 of their 3 topics; the scan visits every queue.
        var endIn42 = Enumerable.Range(0, Queues).Count(i => i % 100 == 42);
        _regexSelective = Parse(@"--topic=~^devices/\d*42/ --client_id --topic --limit=100000", rows: 2 * endIn42, limitReached: false);
        // A third of all subscriptions match; at 1M the limit cuts the scan after 100k rows.
        _regexBroad = Parse("--topic=~^fleet/ --client_id --topic --limit=100000",
            rows: Math.Min(Queues, 100_000), limitReached: Queues > 100_000);
        Console.WriteLine($"// Setup: done after {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
    }

    [GlobalCleanup]
    public void Cleanup() => _store = null!;

    [Benchmark(Description = "default (limit 100)")]
    public int Default() => Run(_default);

    [Benchmark(Description = "--client_id=X")]
    public int ClientId() => Run(_clientId);

    [Benchmark(Description = "--topic=T (1 subscriber) --client_id")]
    public int TopicUnique() => Run(_topicUnique);

    [Benchmark(Description = "--topic=T (N/100 subscribers) --client_id")]
    public int TopicShared() => Run(_topicShared);

    [Benchmark(Description = "--topic=~^devices/\\d*42/ (full scan, 2% match)")]
    public int RegexSelective() => Run(_regexSelective);

    [Benchmark(Description = "--topic=~^fleet/ (1/3 match, limit 100k)")]
    public int RegexBroad() => Run(_regexBroad);

    private int Run(SessionQuery query) => QueryEngine.Run(query, _store).Value.Rows.Count;

    /// <summary>Parses a query and checks once that it returns what the workload says it must.</summary>
    private SessionQuery Parse(string text, int rows, bool limitReached)
    {
        var query = QueryParser.ParseText(text).Value;
        var result = QueryEngine.Run(query, _store).Value;
        if (result.Rows.Count != rows || result.LimitReached != limitReached)
        {
            throw new InvalidOperationException(
                $"Query \"{text}\" on {Queues} queues returned {result.Rows.Count} rows (limit reached: {result.LimitReached}); expected {rows} ({limitReached}).");
        }
        return query;
    }
}
