using System.Text;
using Dashboard.Core.Query;

namespace Dashboard.Core.Output;

/// <summary>The <c>vmq-admin</c> text table (spec §3): centred cells, rules above and below the header and at the end.</summary>
public static class TextTable
{
    /// <summary>Renders a result; an empty result renders as nothing at all.</summary>
    public static string Render(QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Rows.Count == 0)
        {
            return "";
        }
        var cells = result.Rows.Select(row => row.Select(ValueText.Printable).ToArray()).ToArray();
        var widths = result.Columns
            .Select((column, i) => Math.Max(column.Length, cells.Max(row => row[i].Length)))
            .ToArray();
        var rule = "+" + string.Join('+', widths.Select(w => new string('-', w))) + "+\n";
        var table = new StringBuilder();
        table.Append(rule);
        AppendLine(table, result.Columns, widths);
        table.Append(rule);
        foreach (var row in cells)
        {
            AppendLine(table, row, widths);
        }
        table.Append(rule);
        return table.ToString();
    }

    private static void AppendLine(StringBuilder table, IReadOnlyList<string> cells, int[] widths)
    {
        table.Append('|');
        for (var i = 0; i < cells.Count; i++)
        {
            var padding = widths[i] - cells[i].Length;
            var left = padding / 2;
            table.Append(' ', left).Append(cells[i]).Append(' ', padding - left).Append('|');
        }
        table.Append('\n');
    }
}
