using System.Text;
using Dashboard.Core.Query;

namespace Dashboard.Core.Output;

/// <summary>CSV (RFC 4180): a header line, CRLF line ends, quotes where needed, missing values empty.</summary>
public static class CsvOutput
{
    /// <summary>Renders a result as CSV.</summary>
    public static string Render(QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder();
        AppendLine(csv, result.Columns);
        foreach (var row in result.Rows)
        {
            AppendLine(csv, row.Select(Cell).ToArray());
        }
        return csv.ToString();
    }

    private static string Cell(object? value)
    {
        if (value is null)
        {
            return "";
        }
        var text = ValueText.Plain(value);
        // Client-controlled text (ids, topics, payloads) must not become a spreadsheet formula.
        var clientText = value is string or ReadOnlyMemory<byte>;
        return clientText && text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
    }

    private static void AppendLine(StringBuilder csv, IReadOnlyList<string> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }
            var cell = cells[i];
            if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                csv.Append('"').Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                csv.Append(cell);
            }
        }
        csv.Append("\r\n");
    }
}
