using System.Globalization;
using Dashboard.Core.Output;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>
/// One session in full: every field, its subscriptions and queued messages, its recent online/offline
/// history, and the Disconnect and Reauthorize actions, kept live from the store.
/// </summary>
public sealed partial class SessionDetailPage : IDisposable
{
    // As on the grid: a busy broker changes the store constantly; four looks a second keep the page live.
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private ThrottledSubscription? _subscription;

    [Inject]
    public required SessionDetailViewModel ViewModel { get; init; }

    [Inject]
    public required SessionStore Store { get; init; }

    [Inject]
    public required SessionActions Actions { get; init; }

    [Inject]
    public required BrowserTimeZone BrowserTime { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    /// <summary>The route's catch-all; the exact client id is read from the address (see <see cref="SessionLinks"/>).</summary>
    [Parameter]
    public string? ClientId { get; set; }

    /// <summary>The client id when it cannot be a path segment (empty, <c>.</c>, <c>..</c>).</summary>
    [SupplyParameterFromQuery(Name = "client_id")]
    public string? QueryClientId { get; set; }

    /// <summary>The mountpoint; absent for the default one.</summary>
    [SupplyParameterFromQuery(Name = "mountpoint")]
    public string? Mountpoint { get; set; }

    private TimeZoneInfo Zone => BrowserTime.Zone ?? TimeZoneInfo.Utc;

    private string ZoneText => BrowserTime.Zone is { } zone
        ? zone.Id.StartsWith("UTC", StringComparison.Ordinal)
            ? $"your browser's time zone ({zone.Id})"
            : $"your browser's time zone ({zone.Id}, UTC{BrowserTimeZone.OffsetText(zone.GetUtcOffset(Time.GetUtcNow()))})"
        : "UTC";

    // Printable and cut like the heading: a tab title is no place for 64 KB or a right-to-left override.
    private string TitleText => ViewModel.Key is { } key ? $"{Shorten(ValueText.Printable(key.ClientId))} · MQTT Sessions" : "Session · MQTT Sessions";

    private static string Shorten(string text) => text.Length > ClientIdText.MaxShown ? text[..ClientIdText.MaxShown] + "…" : text;

    protected override void OnInitialized()
    {
        // A prerender is thrown away; only the interactive render lives long enough to update.
        if (RendererInfo.IsInteractive)
        {
            _subscription = new ThrottledSubscription(Store, RefreshInterval, () => InvokeAsync(Refresh), Time);
        }
    }

    protected override void OnParametersSet()
    {
        // In the prerender the address comes from the server's decoded request path, where %25 and a
        // literal % look alike; the browser's address (interactive) is exact, so the page waits for it.
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        var relative = Navigation.ToBaseRelativePath(Navigation.Uri);
        var key = new QueueKey(Mountpoint ?? "", SessionLinks.ClientId(relative, QueryClientId) ?? "");
        if (key != ViewModel.Key)
        {
            ViewModel.Load(key);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive && BrowserTime.Zone is null)
        {
            // By its fingerprinted path: without an import map (refused by the CSP) nothing else maps it.
            await BrowserTime.GetAsync("./" + Assets[BrowserTimeZone.ModuleName]);
            StateHasChanged();
        }
    }

    private void Refresh()
    {
        if (ViewModel.Refresh())
        {
            StateHasChanged();
        }
    }

    private async Task DisconnectAsync()
    {
        if (ViewModel.Key is { } key && await Actions.DisconnectAsync(key) is not null)
        {
            Refresh();
        }
    }

    private async Task ReauthorizeAsync()
    {
        if (ViewModel.Key is { } key && await Actions.ReauthorizeAsync(key, ViewModel.User) is not null)
        {
            Refresh();
        }
    }

    private static string CountText(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {noun}{(count == 1 ? "" : "s")}");

    public void Dispose() => _subscription?.Dispose();
}
