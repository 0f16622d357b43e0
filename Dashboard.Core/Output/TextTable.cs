using System.Text;
using Dashboard.Core.Query;

namespace Dashboard.Core.Output;

/// <summary>
/// The <c>vmq-admin</c> text table (docs/query-language.md#output-formats): centred cells, rules above and below the header and at the
/// end. A cell shows at most <see cref="MaxCellWidth"/> characters (longer ones are cut, ending in …):
/// every cell is padded to its column's widest, so one 65,000-character client id would otherwise make
/// every line of the table that wide. The JSON and CSV formats carry whole values.
/// </summary>
public static class TextTable
{
    /// <summary>The widest a cell is shown, in characters.</summary>
    public const int MaxCellWidth = 200;

    /// <summary>Renders a result; an empty result renders as nothing at all.</summary>
    public static string Render(QueryResult result)
    {
        using var writer = new StringWriter();
        WriteAsync(result, writer).GetAwaiter().GetResult();
        return writer.ToString();
    }

    /// <summary>Writes the table line by line, so a large answer is never held whole.</summary>
    public static async Task WriteAsync(QueryResult result, TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(writer);
        if (result.Rows.Count == 0)
        {
            return;
        }
        var cells = result.Rows.Select(row => row.Select(value => Cut(ValueText.Printable(value))).ToArray()).ToArray();
        var widths = result.Columns
            .Select((column, i) => Math.Max(column.Length, cells.Max(row => row[i].Length)))
            .ToArray();
        var rule = "+" + string.Join('+', widths.Select(w => new string('-', w))) + "+\n";
        var line = new StringBuilder();
        await writer.WriteAsync(rule.AsMemory(), cancellationToken).ConfigureAwait(false);
        await WriteLineAsync(writer, line, result.Columns, widths, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(rule.AsMemory(), cancellationToken).ConfigureAwait(false);
        foreach (var row in cells)
        {
            await WriteLineAsync(writer, line, row, widths, cancellationToken).ConfigureAwait(false);
        }
        await writer.WriteAsync(rule.AsMemory(), cancellationToken).ConfigureAwait(false);
    }

    private static string Cut(string text)
    {
        if (text.Length <= MaxCellWidth)
        {
            return text;
        }
        var keep = MaxCellWidth - 1;
        // Never half a surrogate pair.
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }
        return string.Concat(text.AsSpan(0, keep), "…");
    }

    private static async Task WriteLineAsync(TextWriter writer, StringBuilder line, IReadOnlyList<string> cells, int[] widths, CancellationToken cancellationToken)
    {
        line.Clear().Append('|');
        for (var i = 0; i < cells.Count; i++)
        {
            var padding = widths[i] - cells[i].Length;
            var left = padding / 2;
            line.Append(' ', left).Append(cells[i]).Append(' ', padding - left).Append('|');
        }
        line.Append('\n');
        await writer.WriteAsync(line, cancellationToken).ConfigureAwait(false);
    }
}
