using System.Globalization;
using Microsoft.JSInterop;

namespace Dashboard.Components;

/// <summary>What the browser says about its time zone.</summary>
/// <param name="Name">The IANA zone name (<c>Europe/Berlin</c>), when the browser knows it.</param>
/// <param name="OffsetMinutes">The current offset from UTC in minutes (east positive).</param>
public sealed record BrowserZone(string? Name, int OffsetMinutes);

/// <summary>
/// The time zone of the circuit's browser, asked once per circuit (scoped): the server renders the
/// page, so "local time" means the browser's zone, not the server's.
/// </summary>
public sealed class BrowserTimeZone(IJSRuntime js)
{
    /// <summary>The script that asks the browser, under wwwroot; pages import it by its fingerprinted path.</summary>
    public const string ModuleName = "browser-time.js";

    /// <summary>The browser's zone once it answered; null before (times show in UTC until then).</summary>
    public TimeZoneInfo? Zone { get; private set; }

    /// <summary>
    /// Asks the browser (once; later calls return the answer) with the script at <paramref name="modulePath"/>.
    /// Only call when the circuit is interactive.
    /// </summary>
    public async Task<TimeZoneInfo> GetAsync(string modulePath)
    {
        if (Zone is { } known)
        {
            return known;
        }
        try
        {
            var module = await js.InvokeAsync<IJSObjectReference>("import", modulePath);
            BrowserZone? answer;
            try
            {
                answer = await module.InvokeAsync<BrowserZone?>("timeZone");
            }
            finally
            {
                await module.DisposeAsync();
            }
            if (answer is null)
            {
                return TimeZoneInfo.Utc;
            }
            Zone = FromBrowser(answer);
            return Zone;
        }
        catch (Exception exception) when (exception is JSException or JSDisconnectedException or TaskCanceledException)
        {
            // No answer: UTC, clearly labelled, and the next page asks again.
            return TimeZoneInfo.Utc;
        }
    }

    /// <summary>The zone named by the browser when this machine knows it (so past times get their own DST offset), else its current offset.</summary>
    public static TimeZoneInfo FromBrowser(BrowserZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (zone.Name is { Length: > 0 } name && TimeZoneInfo.TryFindSystemTimeZoneById(name, out var found))
        {
            return found;
        }
        var offset = TimeSpan.FromMinutes(Math.Clamp(zone.OffsetMinutes, -14 * 60, 14 * 60));
        var label = "UTC" + OffsetText(offset);
        return TimeZoneInfo.CreateCustomTimeZone(label, offset, label, label);
    }

    /// <summary><c>+01:00</c>, <c>-05:30</c>.</summary>
    public static string OffsetText(TimeSpan offset) =>
        (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}
