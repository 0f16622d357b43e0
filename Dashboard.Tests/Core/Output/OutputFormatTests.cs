using System.Text;
using System.Text.Json;
using Dashboard.Core.Output;
using Dashboard.Core.Query;

namespace Dashboard.Tests.Core.Output;

public class OutputFormatTests
{
    private static QueryResult Result(string[] columns, params object?[][] rows) => new(columns, rows, false, TimeSpan.Zero);

    [Fact]
    public void TextTable_EmptyResult_PrintsNothing() => Assert.Equal("", TextTable.Render(Result(["client_id"])));

    [Fact]
    public void TextTable_CellsAreCentredWithExtraSpaceRight()
    {
        var text = TextTable.Render(Result(["user", "n"], ["ab", 7L]));

        Assert.Equal("+----+-+\n|user|n|\n+----+-+\n| ab |7|\n+----+-+\n", text);
        Assert.Equal("|  x   |\n", TextTable.Render(Result(["abcdef"], ["x"])).Split('\n')[3] + "\n");
    }

    [Fact]
    public void TextTable_HugeCell_CutTo200Characters_TheTableStaysSmall()
    {
        var huge = new string('x', 65_000);
        var rows = Enumerable.Range(0, 20).Select(i => new object?[] { i == 3 ? huge : $"c{i}", "user" }).ToArray();

        var text = TextTable.Render(Result(["client_id", "user"], rows));

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(24, lines.Length);
        // 200 characters of cell, 4 of "user", three borders: every line is 207 long.
        Assert.All(lines, line => Assert.Equal(207, line.Length));
        Assert.Contains("|" + new string('x', 199) + "\u2026|user|", text, StringComparison.Ordinal);
        Assert.True(text.Length < 6_000, $"{text.Length} characters");
    }

    [Fact]
    public void TextTable_CutNeverSplitsASurrogatePair()
    {
        var text = TextTable.Render(Result(["client_id"], [new string('a', 198) + "\ud83d\ude00" + new string('b', 10)]));

        Assert.Contains("|" + new string('a', 198) + "\u2026", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\ud83d', text);
    }

    [Fact]
    public void TextTable_ControlCharacters_AreEscaped()
    {
        var text = TextTable.Render(Result(["client_id"], ["evil\u001b[2Jid\r\n"]));

        Assert.Contains("evil\\x1b[2Jid\\x0d\\x0a", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', text);
    }

    [Theory]
    [InlineData("x\u202Eexe.txt", "x\\u202eexe.txt")]
    [InlineData("\u2066a\u2069\u200f", "\\u2066a\\u2069\\u200f")]
    [InlineData("caf\u00e9 \u00a0\u0085", "caf\u00e9 \u00a0\\x85")]
    public void Printable_BidiControls_AreEscapedSoTheyCannotReorderText(string value, string expected) =>
        Assert.Equal(expected, ValueText.Printable(value));

    [Fact]
    public void Json_Table_HasVerneMqShapeWithTypedValuesAndNulls()
    {
        var json = JsonOutput.Table(Result(["client_id", "is_online", "peer_port", "user"], ["c1", true, 37094L, null]));

        Assert.Equal("""{"table":[{"client_id":"c1","is_online":true,"peer_port":37094,"user":null}],"type":"table"}""", json);
    }

    [Fact]
    public void Json_EmptyTable_IsEmptyArray() => Assert.Equal("""{"table":[],"type":"table"}""", JsonOutput.Table(Result(["client_id"])));

    [Fact]
    public void Json_TextAndAlert_HaveVerneMqShapes()
    {
        Assert.Equal("""{"text":"Done","type":"text"}""", JsonOutput.Text("Done"));
        Assert.Equal("""{"alert":[{"text":"Invalid key: \u0022foo\u0022","type":"text"}],"type":"alert"}""", JsonOutput.Alert("Invalid key: \"foo\""));
    }

    [Fact]
    public void Json_HostileText_StaysInertAndParses()
    {
        var json = JsonOutput.Table(Result(["client_id"], ["<script>alert(1)</script>\"},{"]));

        Assert.DoesNotContain("<script>", json, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        Assert.Equal("<script>alert(1)</script>\"},{", document.RootElement.GetProperty("table")[0].GetProperty("client_id").GetString());
    }

    [Fact]
    public void Payload_ValidUtf8_IsText_OtherwiseHex()
    {
        ReadOnlyMemory<byte> text = Encoding.UTF8.GetBytes("thepayload ✓");
        ReadOnlyMemory<byte> binary = new byte[] { 0xff, 0x00, 0x10 };

        Assert.Equal("thepayload ✓", ValueText.Plain(text));
        Assert.Equal("0xff0010", ValueText.Plain(binary));
        Assert.Equal("""{"table":[{"payload":"0xff0010"}],"type":"table"}""", JsonOutput.Table(Result(["payload"], [binary])));
    }

    [Fact]
    public void Csv_QuotesWhereNeeded_MissingIsEmpty_CrLfLines()
    {
        var csv = CsvOutput.Render(Result(["client_id", "peer_port", "user"], ["a,b", 1L, null], ["say \"hi\"\nbye", 2L, "u"]));

        Assert.Equal("client_id,peer_port,user\r\n\"a,b\",1,\r\n\"say \"\"hi\"\"\nbye\",2,u\r\n", csv);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("plain", "plain")]
    public void Csv_ClientTextThatLooksLikeAFormula_IsNeutralised(string clientId, string cell) =>
        Assert.Equal($"client_id\r\n{cell}\r\n", CsvOutput.Render(Result(["client_id"], [clientId])));
}
