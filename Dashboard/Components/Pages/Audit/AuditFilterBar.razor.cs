using Dashboard.Security;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages.Audit;

/// <summary>
/// Edits the audit filters with times in the browser's zone; the page owns the filters (in its address)
/// and this shows them again whenever they or the zone change.
/// </summary>
public sealed partial class AuditFilterBar
{
    private string? _actor;
    private string? _action;
    private string? _target;
    private string? _from;
    private string? _to;
    private string? _error;
    private (AuditFilter, TimeZoneInfo)? _shown;

    /// <summary>The filters in force, as the address has them.</summary>
    [Parameter, EditorRequired]
    public AuditFilter Filter { get; set; } = new();

    /// <summary>The zone the time inputs read and write.</summary>
    [Parameter, EditorRequired]
    public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>Called with the filters to apply, times already in UTC.</summary>
    [Parameter]
    public EventCallback<AuditFilter> OnApply { get; set; }

    private string ZoneName => Zone == TimeZoneInfo.Utc ? "UTC" : $"your time ({Zone.Id})";

    protected override void OnParametersSet()
    {
        // Only on a real change, so a parent's re-render does not throw away what the user is typing.
        if (_shown is { } shown && shown.Item1 == Filter && shown.Item2 == Zone)
        {
            return;
        }
        _shown = (Filter, Zone);
        _actor = Filter.Actor;
        _action = string.IsNullOrEmpty(Filter.Action) ? null : Filter.Action;
        _target = Filter.Target;
        _from = InputTime(Filter.From);
        _to = InputTime(Filter.To);
    }

    // A time in the address that does not parse stays as it is, so the page's message and the field agree.
    private string? InputTime(string? text) =>
        AuditFilter.ParseTime(text, "") is { IsSuccess: true, Value: { } time } ? LocalTime.ToInput(time, Zone) : text;

    private async Task ApplyAsync()
    {
        var from = LocalTime.FromInput(_from, Zone, "from");
        var to = LocalTime.FromInput(_to, Zone, "to");
        if ((from.Error ?? to.Error) is { } error)
        {
            _error = error;
            return;
        }
        _error = null;
        await OnApply.InvokeAsync(new AuditFilter
        {
            Actor = _actor?.Trim(),
            Action = _action,
            // Exact, as stored: a client id may begin or end with a space.
            Target = _target,
            From = from.Value is { } start ? AuditFilter.FormatTime(start) : null,
            To = to.Value is { } end ? AuditFilter.FormatTime(end) : null,
        });
    }

    private Task ClearAsync() => OnApply.InvokeAsync(new AuditFilter());
}
