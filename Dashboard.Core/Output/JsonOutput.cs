using System.Text;
using System.Text.Json;
using Dashboard.Core.Query;

namespace Dashboard.Core.Output;

/// <summary>VerneMQ's HTTP API JSON shapes (docs/query-language.md#output-formats): <c>table</c>, <c>text</c> and <c>alert</c>.</summary>
public static class JsonOutput
{
    /// <summary><c>{"table":[{...}],"type":"table"}</c>, keys in column order, missing values null.</summary>
    public static string Table(QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Write(writer =>
        {
            writer.WriteStartArray("table");
            foreach (var row in result.Rows)
            {
                writer.WriteStartObject();
                for (var i = 0; i < result.Columns.Count; i++)
                {
                    writer.WritePropertyName(result.Columns[i]);
                    WriteValue(writer, row[i]);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteString("type", "table");
        });
    }

    /// <summary><c>{"text":"Done","type":"text"}</c>.</summary>
    public static string Text(string text) => Write(writer =>
    {
        writer.WriteString("text", text);
        writer.WriteString("type", "text");
    });

    /// <summary><c>{"alert":[{"text":"...","type":"text"}],"type":"alert"}</c>.</summary>
    public static string Alert(string message) => Write(writer =>
    {
        writer.WriteStartArray("alert");
        writer.WriteStartObject();
        writer.WriteString("text", message);
        writer.WriteString("type", "text");
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteString("type", "alert");
    });

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            default:
                writer.WriteStringValue(ValueText.Plain(value));
                break;
        }
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
