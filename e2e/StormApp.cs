using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Diagnostics.NETCore.Client;

namespace Dashboard.E2E;

/// <summary>
/// The storm tests run alone: they measure the app's memory and latencies, which other tests running
/// beside them would move, and they load the machine enough to slow those tests down.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StormCollection
{
    public const string Name = "Storms";
}

/// <summary>The dashboard as its own process with a management API key, for the storm and fault tests.</summary>
public class StormApp : AppProcess
{
    public const string ApiKey = "e2e-storm-mgmt-key-0123456789";

    protected override IEnumerable<string> ExtraArguments => ["--Api:Keys:0:Key=" + ApiKey, "--Api:Keys:0:Scope=mgmt", "--Logging:LogLevel:Dashboard.Broker.MqttLogBridge=Debug"];

    /// <summary>The rows of <c>/api/v1/session/show</c> for a query in the API's form (<c>--client_id&amp;--is_online</c>).</summary>
    public async Task<List<JsonElement>> SessionShowAsync(string query)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-api-key", ApiKey);
        var answer = await http.GetFromJsonAsync<JsonElement>("/api/v1/session/show?" + query);
        return [.. answer.GetProperty("table").EnumerateArray()];
    }

    /// <summary>A request to the API with the management key: <c>"&lt;status&gt; &lt;body&gt;"</c>.</summary>
    public async Task<string> ApiAsync(string pathAndQuery)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-api-key", ApiKey);
        using var answer = await http.GetAsync(pathAndQuery);
        return $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}";
    }

    /// <summary>
    /// Has the app run full blocking garbage collections, as <c>dotnet-gcdump</c> does: an EventPipe session
    /// with the runtime's GCHeapCollect keyword. Measured memory then holds what the app keeps, not garbage
    /// the collector had no reason to collect yet.
    /// </summary>
    public async Task CollectGarbageAsync()
    {
        const long GcKeyword = 0x1, GcHeapCollectKeyword = 0x800000;
        var client = new DiagnosticsClient(ProcessId);
        for (var round = 0; round < 2; round++)
        {
            using var session = client.StartEventPipeSession(
                new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword), requestRundown: false);
            var drain = session.EventStream.CopyToAsync(Stream.Null);
            await Task.Delay(TimeSpan.FromSeconds(2));
            await session.StopAsync(CancellationToken.None);
            await drain;
        }
    }

    /// <summary>Series of the app's <c>/metrics</c> summed over their labels, by name (for example <c>dotnet_gc_last_collection_heap_size_bytes</c>).</summary>
    public async Task<Dictionary<string, double>> MetricsAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-api-key", ApiKey);
        var text = await http.GetStringAsync("/metrics");
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            // name{labels} value [timestamp]; label values hold no '}' here.
            var end = line.IndexOf('}', StringComparison.Ordinal) is var brace and >= 0 ? brace + 1 : line.IndexOf(' ', StringComparison.Ordinal);
            var name = line[..line.IndexOfAny(['{', ' '])];
            var value = line[end..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                sums[name] = sums.GetValueOrDefault(name) + number;
            }
        }
        return sums;
    }

    /// <summary>The app's resident memory in bytes (<c>VmRSS</c> of <c>/proc/&lt;pid&gt;/status</c>).</summary>
    public long ResidentBytes() => ProcessStatus(ProcessId, "VmRSS:");

    /// <summary>A <c>/proc/&lt;pid&gt;/status</c> field given in kB, in bytes.</summary>
    public static long ProcessStatus(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>CPU time the app has used so far (user + system).</summary>
    public TimeSpan CpuTime()
    {
        var fields = File.ReadAllText($"/proc/{ProcessId}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
