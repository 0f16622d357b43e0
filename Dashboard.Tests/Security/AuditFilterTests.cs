using Dashboard.Security;

namespace Dashboard.Tests.Security;

public class AuditFilterTests
{
    [Fact]
    public void ToQuery_EmptyValues_AreNoFilters()
    {
        var query = new AuditFilter { Actor = "", Action = "", Target = "", From = " ", To = null }.ToQuery(10).Value;

        Assert.Equal(new AuditQuery { Limit = 10 }, query);
    }

    [Theory]
    [InlineData("2025-03-01T12:00:00Z", "2025-03-01T12:00:00+00:00")]
    [InlineData("2025-03-01T13:00:00+01:00", "2025-03-01T12:00:00+00:00")]
    [InlineData("2025-03-01", "2025-03-01T00:00:00+00:00")]
    [InlineData("2025-03-01T12:00", "2025-03-01T12:00:00+00:00")]
    public void ToQuery_Times_AreUtcUnlessTheyNameAnOffset(string text, string expected)
    {
        var query = new AuditFilter { From = text }.ToQuery(10).Value;

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), query.From);
    }

    [Theory]
    [InlineData(null, "bogus", null, "Invalid from time \"bogus\": use ISO 8601, e.g. 2025-03-01T12:00:00Z")]
    [InlineData("nope", null, null, "Unknown action \"nope\"")]
    [InlineData(null, "2025-03-02", "2025-03-01", "The time range ends before it starts")]
    public void ToQuery_BadValue_SaysWhich(string? action, string? from, string? to, string message)
    {
        var query = new AuditFilter { Action = action, From = from, To = to }.ToQuery(10);

        Assert.StartsWith(message, query.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToQueryString_EscapesValuesAndSkipsEmpty()
    {
        var filter = new AuditFilter { Actor = "key:ci", Target = "a&b=c d+", To = "2025-03-01T12:00:00Z" };

        Assert.Equal("actor=key%3Aci&target=a%26b%3Dc%20d%2B&to=2025-03-01T12%3A00%3A00Z", filter.ToQueryString());
    }
}
