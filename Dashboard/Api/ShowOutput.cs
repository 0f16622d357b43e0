using Dashboard.Core.Output;
using Dashboard.Core.Query;

namespace Dashboard.Api;

/// <summary>
/// A <c>session show</c> result as an HTTP response in one of the API's formats. The API and the grid's
/// export both answer through here, so a downloaded file has the API's bytes and content type.
/// </summary>
internal static class ShowOutput
{
    public static IResult Render(QueryResult result, string format) => format switch
    {
        "csv" => Results.Text(CsvOutput.Render(result), "text/csv; charset=utf-8"),
        // Streamed: a large table is written as it is made, never held whole.
        "human" => Results.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new System.Text.UTF8Encoding(false), bufferSize: 16 * 1024);
            await TextTable.WriteAsync(result, writer);
        }, "text/plain; charset=utf-8"),
        _ => Results.Text(JsonOutput.Table(result), "application/json"),
    };
}
