using Dashboard.Components;

namespace Dashboard.Tests.Components;

public class BrowserTimeZoneTests
{
    [Fact]
    public void FromBrowser_KnownZoneName_UsesItsRulesForPastTimes()
    {
        var zone = BrowserTimeZone.FromBrowser(new BrowserZone("Europe/Berlin", 120));

        Assert.Equal(TimeSpan.FromHours(1), zone.GetUtcOffset(new DateTimeOffset(2019, 2, 5, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal(TimeSpan.FromHours(2), zone.GetUtcOffset(new DateTimeOffset(2019, 7, 5, 12, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData(null, -330, "UTC-05:30")]
    [InlineData("Not/AZone", 60, "UTC+01:00")]
    [InlineData("", 0, "UTC+00:00")]
    public void FromBrowser_NoKnownName_FixedOffsetNamedByIt(string? name, int offsetMinutes, string id)
    {
        var zone = BrowserTimeZone.FromBrowser(new BrowserZone(name, offsetMinutes));

        Assert.Equal(id, zone.Id);
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), zone.BaseUtcOffset);
    }
}
