using BenchmarkDotNet.Attributes;
using Dashboard.Core.Output;
using Dashboard.Core.Query;

namespace Dashboard.Bench;

/// <summary>Rendering a result of the default columns plus topic and qos (8 columns) in each output format.</summary>
[Config(typeof(BenchConfig))]
public class FormatBenchmarks
{
    private QueryResult _result = null!;

    [Params(100, 10_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var store = Workload.Build(10_000);
        var query = QueryParser.ParseText(
            $"--client_id --is_online --mountpoint --peer_host --peer_port --user --topic --qos --limit={Rows}").Value;
        _result = QueryEngine.Run(query, store).Value;
        if (_result.Rows.Count != Rows)
        {
            throw new InvalidOperationException($"Expected {Rows} rows, got {_result.Rows.Count}.");
        }
    }

    [Benchmark(Description = "text table")]
    public int Text() => TextTable.Render(_result).Length;

    [Benchmark(Description = "JSON")]
    public int Json() => JsonOutput.Table(_result).Length;

    [Benchmark(Description = "CSV")]
    public int Csv() => CsvOutput.Render(_result).Length;
}
