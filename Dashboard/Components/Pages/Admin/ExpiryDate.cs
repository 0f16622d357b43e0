using System.Globalization;
using Dashboard.Core.Query;

namespace Dashboard.Components.Pages.Admin;

/// <summary>
/// The optional "Expires on" date of a new key or token, as a date input gives it (<c>yyyy-MM-dd</c>):
/// it stops working at the start of that day in the browser's time zone, the day a person picked.
/// </summary>
public static class ExpiryDate
{
    public static Result<DateTimeOffset?> Parse(string? text, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Result<DateTimeOffset?>.Ok(null);
        }
        if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return Result<DateTimeOffset?>.Fail($"Invalid expiry date \"{text}\": use yyyy-MM-dd");
        }
        var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // A midnight skipped by a DST change does not exist; the first hour after it does.
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddHours(1);
        }
        // The first and last days of the calendar can fall outside it once moved to UTC.
        var utcTicks = midnight.Ticks - zone.GetUtcOffset(midnight).Ticks;
        return utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks
            ? Result<DateTimeOffset?>.Fail($"Invalid expiry date \"{text}\": out of range")
            : Result<DateTimeOffset?>.Ok(new DateTimeOffset(midnight, zone.GetUtcOffset(midnight)));
    }
}
