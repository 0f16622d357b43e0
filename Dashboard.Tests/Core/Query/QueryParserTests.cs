using Dashboard.Core.Query;

namespace Dashboard.Tests.Core.Query;

public class QueryParserTests
{
    private static SessionQuery Parse(string text)
    {
        var result = QueryParser.ParseText(text);
        Assert.True(result.IsSuccess, result.Error);
        return result.Value;
    }

    private static string Error(string text)
    {
        var result = QueryParser.ParseText(text);
        Assert.False(result.IsSuccess);
        return result.Error!;
    }

    [Fact]
    public void ParseText_Empty_IsDefaultQuery()
    {
        var query = Parse("");
        Assert.Equal(SessionQuery.Default, query);
        Assert.Equal(["client_id", "is_online", "mountpoint", "peer_host", "peer_port", "user"], query.EffectiveColumns);
        Assert.Equal(100, query.Limit);
    }

    [Fact]
    public void ParseText_FlagsWithoutValue_AreColumnsInGivenOrder()
    {
        var query = Parse("--topic --client_id");
        Assert.Equal(["topic", "client_id"], query.Columns);
        Assert.Empty(query.Filters);
    }

    [Fact]
    public void ParseText_ColumnAndFilterOnSameField_BothApply()
    {
        var query = Parse("--topic --client_id --topic=some/topic");
        Assert.Equal(["topic", "client_id"], query.Columns);
        Assert.Equal([new FieldFilter("topic", FilterKind.Equal, "some/topic")], query.Filters);
    }

    [Fact]
    public void ParseText_RegexFilter_KeepsPatternAfterTilde()
    {
        var query = Parse("--topic --client_id --topic=~some/other/.*");
        Assert.Equal([new FieldFilter("topic", FilterKind.Regex, "some/other/.*")], query.Filters);
    }

    [Fact]
    public void ParseText_ValueAsNextWord_IsAFilter()
    {
        var query = Parse("--client_id client1 --is_online");
        Assert.Equal(["is_online"], query.Columns);
        Assert.Equal([new FieldFilter("client_id", FilterKind.Equal, "client1")], query.Filters);
    }

    [Fact]
    public void ParseText_OnlyFiltersAndLimit_ShowsDefaultColumns()
    {
        var query = Parse("--client_id=client1 --limit=10");
        Assert.Empty(query.Columns);
        Assert.Equal(10, query.Limit);
        Assert.Equal(6, query.EffectiveColumns.Count);
    }

    [Fact]
    public void ParseText_LeadingCommandWords_AreSkipped() =>
        Assert.Equal(Parse("--node --is_online"), Parse("vmq-admin session show --node --is_online"));

    [Fact]
    public void ParseText_RowTimeout_IsAcceptedAndKept() => Assert.Equal(250, Parse("--rowtimeout=250").RowTimeout);

    [Fact]
    public void ParseText_DuplicateColumn_IsShownOnce() => Assert.Equal(["client_id"], Parse("--client_id --client_id").Columns);

    [Fact]
    public void ParseText_EmptyValue_FiltersOnEmptyText() =>
        Assert.Equal([new FieldFilter("mountpoint", FilterKind.Equal, "")], Parse("--mountpoint=").Filters);

    [Fact]
    public void ParseText_UnknownField_SaysInvalidKey() => Assert.Equal("Invalid key: \"foo\"", Error("--client_id --foo"));

    [Fact]
    public void ParseText_UnknownFieldWithValue_SaysInvalidKey() => Assert.Equal("Invalid key: \"foo\"", Error("--foo=bar"));

    [Theory]
    [InlineData("--limit=abc", "Invalid value for --limit: \"abc\" is not a whole number (0 or more)")]
    [InlineData("--limit=-1", "Invalid value for --limit: \"-1\" is not a whole number (0 or more)")]
    [InlineData("--limit=1.5", "Invalid value for --limit: \"1.5\" is not a whole number (0 or more)")]
    [InlineData("--limit", "--limit needs a value, for example --limit=10")]
    [InlineData("--rowtimeout=soon", "Invalid value for --rowtimeout: \"soon\" is not a whole number (0 or more)")]
    public void ParseText_BadLimit_SaysWhy(string text, string message) => Assert.Equal(message, Error(text));

    [Fact]
    public void ParseText_LimitZero_IsAllowed() => Assert.Equal(0, Parse("--limit=0").Limit);

    [Theory]
    [InlineData("client_id", "Invalid argument \"client_id\": flags start with -- (for example --client_id=client1)")]
    [InlineData("-client_id", "Invalid argument \"-client_id\": flags start with -- (for example --client_id=client1)")]
    [InlineData("--", "Malformed flag \"--\": a field name must follow --")]
    [InlineData("--=x", "Malformed flag \"--=x\": a field name must follow --")]
    public void ParseText_MalformedFlag_SaysWhy(string text, string message) => Assert.Equal(message, Error(text));

    [Fact]
    public void ParseText_InvalidRegex_NamesPatternAndReason()
    {
        var error = Error("--topic=~some/(other");
        Assert.StartsWith("Invalid regular expression \"some/(other\": ", error);
        Assert.Contains("Not enough )", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseText_BacktrackingOnlyConstruct_IsRefusedWithReason()
    {
        var error = Error("--client_id=~(a)\\1");
        Assert.StartsWith("Invalid regular expression \"(a)\\1\": ", error);
        Assert.Contains("linear time", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseText_HugeRegex_IsRefused() =>
        Assert.StartsWith("Regular expression is too long", Error("--topic=~" + new string('a', 2000)));

    [Theory]
    [InlineData("--peer_port=abc", "Invalid value for peer_port: \"abc\" is not a whole number")]
    [InlineData("--is_online=yes", "Invalid value for is_online: \"yes\" is not true or false")]
    public void ParseText_ValueOfWrongType_SaysWhy(string text, string message) => Assert.Equal(message, Error(text));

    [Fact]
    public void ParseText_UndefinedOnTypedField_IsAllowed() => Assert.Single(Parse("--peer_port=undefined --is_online=undefined --user=undefined").Filters, f => f.Field == "user");

    [Fact]
    public void ParseText_UnterminatedQuote_SaysWhere() => Assert.Equal("Unterminated quote ' at position 9", Error("--topic='a b"));

    [Fact]
    public void ParseText_QuotedValue_KeepsSpaces() =>
        Assert.Equal("a b", Parse("--topic=\"a b\"").Filters[0].Value);

    [Fact]
    public void ParseQueryString_VerneMqForm_DecodesPercentEscapes()
    {
        var result = QueryParser.ParseQueryString("?--client_id&--topic&--topic=~%5Esensors%2F&--limit=1000");
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(["client_id", "topic"], result.Value.Columns);
        Assert.Equal([new FieldFilter("topic", FilterKind.Regex, "^sensors/")], result.Value.Filters);
        Assert.Equal(1000, result.Value.Limit);
    }

    [Fact]
    public void ParseQueryString_PlusIsSpace_EscapedPlusHashAmpersandAreLiteral()
    {
        var result = QueryParser.ParseQueryString("--topic=a+b&--client_id=x%2By%23z%26w");
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal("a b", result.Value.Filters[0].Value);
        Assert.Equal("x+y#z&w", result.Value.Filters[1].Value);
    }

    [Fact]
    public void ParseQueryString_ValueDoesNotComeFromNextPart()
    {
        var result = QueryParser.ParseQueryString("--client_id&--topic=some/topic");
        Assert.Equal(["client_id"], result.Value.Columns);
    }

    [Fact]
    public void ParseQueryString_BadLimit_IsAnErrorNotACrash() =>
        Assert.False(QueryParser.ParseQueryString("--limit=abc").IsSuccess);

    [Theory]
    [InlineData("")]
    [InlineData("--client_id --topic=~some/other/.* --limit=10")]
    [InlineData("--topic --client_id --topic=some/topic")]
    [InlineData("--user=undefined --rowtimeout=5 --limit=0")]
    [InlineData("--topic='a b' --client_id=\"it's\" --payload=~\\d+")]
    [InlineData("--mountpoint= --client_id=~(?i)^SENSOR")]
    public void ToText_ParsesBackToEqualQuery(string text)
    {
        var query = Parse(text);
        Assert.Equal(query, Parse(query.ToText()));
    }

    [Fact]
    public void ToText_IsCanonical() =>
        Assert.Equal("--client_id --topic=~some/other/.* --limit=10", Parse("--limit 10 --client_id --topic=~some/other/.*").ToText());
}
