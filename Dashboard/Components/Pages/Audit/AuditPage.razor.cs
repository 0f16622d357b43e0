using System.Globalization;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages.Audit;

/// <summary>
/// /audit: the audit log, filtered by actor, action, target (a client id) and time range, the filters
/// in the address. Admins only: it names every user and key and what they did, which Operators, who
/// act on sessions, have no need to read; a session's own entries show on its detail page to Admins.
/// </summary>
public sealed partial class AuditPage
{
    /// <summary>How many entries the page shows; the CSV export takes up to <see cref="AuditQuery.MaxLimit"/>.</summary>
    public const int DisplayLimit = 500;

    private AuditQueryResult? _result;
    private string? _error;

    [Inject]
    public required AuditLog Audit { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required BrowserTimeZone BrowserTime { get; init; }

    [SupplyParameterFromQuery(Name = "actor")]
    public string? Actor { get; set; }

    [SupplyParameterFromQuery(Name = "action")]
    public string? Action { get; set; }

    [SupplyParameterFromQuery(Name = "target")]
    public string? Target { get; set; }

    [SupplyParameterFromQuery(Name = "from")]
    public string? From { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    public string? To { get; set; }

    private AuditFilter Filter { get; set; } = new();

    private TimeZoneInfo Zone => BrowserTime.Zone ?? TimeZoneInfo.Utc;

    private string ZoneText => BrowserTime.Zone is { } zone ? $"your browser's time zone ({zone.Id})" : "UTC";

    private string CountText => _result is not { } result ? "Entries"
        : result.LimitReached ? string.Create(CultureInfo.InvariantCulture, $"The newest {result.Entries.Count:N0} entries")
        : result.Entries.Count == 1 ? "1 entry"
        : string.Create(CultureInfo.InvariantCulture, $"{result.Entries.Count:N0} entries");

    protected override void OnParametersSet()
    {
        Filter = new AuditFilter { Actor = Actor, Action = Action, Target = Target, From = From, To = To };
        _result = null;
        var query = Filter.ToQuery(DisplayLimit);
        if (!query.IsSuccess)
        {
            _error = query.Error;
            return;
        }
        var result = Audit.Query(query.Value);
        _error = result.Error;
        _result = result.IsSuccess ? result.Value : null;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive && BrowserTime.Zone is null)
        {
            await BrowserTime.GetAsync("./" + Assets[BrowserTimeZone.ModuleName]);
            StateHasChanged();
        }
    }

    // Into the address: the page reads its filters back from there, so a reload or a shared link shows the same.
    private void Apply(AuditFilter filter) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
    {
        ["actor"] = Empty(filter.Actor),
        ["action"] = Empty(filter.Action),
        ["target"] = Empty(filter.Target),
        ["from"] = Empty(filter.From),
        ["to"] = Empty(filter.To),
    }));

    private static string? Empty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
