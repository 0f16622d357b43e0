using Dashboard.Components.Pages.Admin;
using Dashboard.Components.Pages.Audit;

namespace Dashboard.Tests.Components.Pages.Admin;

/// <summary>Dates a date input accepts at the ends of the calendar: a message, never an exception that ends the circuit.</summary>
public sealed class CalendarEdgeTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public void ExpiryDate_FirstDayEastOfUtc_OutOfRangeMessage()
    {
        var parsed = ExpiryDate.Parse("0001-01-01", Berlin);

        Assert.Equal("Invalid expiry date \"0001-01-01\": out of range", parsed.Error);
    }

    [Fact]
    public void ExpiryDate_OrdinaryDay_StartOfThatDayInTheZone() =>
        Assert.Equal(new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.FromHours(1)), ExpiryDate.Parse("2027-03-01", Berlin).Value);

    [Theory]
    [InlineData("9999-12-31T23:59")]
    public void AuditTime_LastMinuteWestOfUtc_OutOfRangeMessage(string text)
    {
        var parsed = LocalTime.FromInput(text, NewYork, "to");

        Assert.Equal($"The to time {text} is out of range", parsed.Error);
    }

    [Fact]
    public void AuditTime_FirstMinuteEastOfUtc_OutOfRangeMessage() =>
        Assert.False(LocalTime.FromInput("0001-01-01T00:00", Berlin, "from").IsSuccess);
}
