using System.Globalization;
using Dashboard.Core.Query;

namespace Dashboard.Components.Pages.Audit;

/// <summary>
/// Between the address's UTC times and a <c>datetime-local</c> input, which shows and takes wall-clock
/// time in the browser's zone without saying which: people pick the times they saw on the page.
/// </summary>
public static class LocalTime
{
    private const string InputFormat = "yyyy-MM-dd'T'HH:mm";

    /// <summary>The input's value for <paramref name="time"/>, to the minute.</summary>
    public static string ToInput(DateTimeOffset time, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(time, zone).ToString(InputFormat, CultureInfo.InvariantCulture);

    /// <summary>The instant an input's value means in <paramref name="zone"/>; null for empty.</summary>
    public static Result<DateTimeOffset?> FromInput(string? text, TimeZoneInfo zone, string name)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Result<DateTimeOffset?>.Ok(null);
        }
        // Browsers send seconds when the user typed them.
        if (!DateTime.TryParseExact(text.Trim(), [InputFormat, "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local))
        {
            return Result<DateTimeOffset?>.Fail($"Invalid {name} time \"{text}\"");
        }
        if (zone.IsInvalidTime(local))
        {
            return Result<DateTimeOffset?>.Fail($"The {name} time {text} does not exist in {zone.Id} (the clocks skip it)");
        }
        // The first and last days of the calendar can fall outside it once moved to UTC.
        var utcTicks = local.Ticks - zone.GetUtcOffset(local).Ticks;
        return utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks
            ? Result<DateTimeOffset?>.Fail($"The {name} time {text} is out of range")
            : Result<DateTimeOffset?>.Ok(new DateTimeOffset(local, zone.GetUtcOffset(local)));
    }
}
