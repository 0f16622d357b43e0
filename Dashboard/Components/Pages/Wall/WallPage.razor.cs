using System.Globalization;
using Dashboard.Core.Live;
using Dashboard.Core.Query;
using Dashboard.Core.Store;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;

namespace Dashboard.Components.Pages.Wall;

/// <summary>
/// The wall screen: big totals, online history and a ticker, driven by an in-process
/// <see cref="SessionFeed"/> (the same change feed as the hub), optionally scoped by <c>?q=</c>.
/// </summary>
public sealed partial class WallPage : IAsyncDisposable
{
    private const string ModulePath = "Components/Pages/Wall/WallPage.razor.js";

    private const int PanelLength = 5;
    private static readonly TimeSpan PanelInterval = TimeSpan.FromSeconds(2);

    private SessionFeed? _feed;
    private IJSObjectReference? _module;
    private QueueMatcher? _matcher;
    private ITimer? _panelTimer;
    private int _beating;

    // Below the watchdog's 4 s: a beat lost to a dropped connection is given up before the wall would go stale.
    private static readonly TimeSpan BeatTimeout = TimeSpan.FromSeconds(3);

    [Inject]
    public required SessionStore Store { get; init; }

    [Inject]
    public required SessionActivity Activity { get; init; }

    [Inject]
    public required IOptions<SessionFeedOptions> FeedOptions { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required FlapMonitor Flapping { get; init; }

    [Inject]
    public required ILogger<SessionFeed> FeedLogger { get; init; }

    [SupplyParameterFromQuery(Name = "q")]
    public string? Q { get; set; }

    [SupplyParameterFromQuery(Name = "title")]
    public string? Title { get; set; }

    private WallViewModel? ViewModel { get; set; }

    private string? Error { get; set; }

    private string ScriptPath => Assets[ModulePath];

    private string HeaderText => string.IsNullOrWhiteSpace(Title) ? "MQTT Sessions" : Title;

    private string PageTitleText => $"{HeaderText} · Wall";

    private string? ScopeText => string.IsNullOrWhiteSpace(Q) ? null : Q;

    private SessionCountersMessage? Counters => ViewModel?.LatestCounters;

    private DateTimeOffset Now => Time.GetUtcNow();

    private string Clock => TimeZoneInfo.ConvertTime(Now, Time.LocalTimeZone).ToString("HH:mm", CultureInfo.InvariantCulture);

    private IReadOnlyList<HistoryPoint> LastHour => ViewModel?.History.LastHour(Now) ?? [];

    private IReadOnlyList<HistoryPoint> SinceStart => ViewModel?.History.SinceStart() ?? [];

    private string SinceStartLabel => SinceStart is [var first, ..] && ViewModel is { } model
        ? $"Online since {model.Clock(first.At)}"
        : "Online since start";

    private IReadOnlyList<TickerEntry> Ticker => ViewModel?.Ticker ?? [];

    // The operator panels (docs/operator-tools.md), read every PanelInterval: the feed says what changed,
    // not which queues are largest or which clients flap.
    private IReadOnlyList<FlappingClient> FlappingClients { get; set; } = [];

    private int FlappingCount { get; set; }

    private IReadOnlyList<RankedQueue> LargestQueues { get; set; } = [];

    protected override void OnInitialized()
    {
        var matcher = QueueMatcher.Parse(Q);
        if (!matcher.IsSuccess)
        {
            Error = $"The scope in the address is not a valid query: {matcher.Error}";
            return;
        }
        // A scoped wall charts its own scope from the moment it opens; the whole node's history is shared.
        _matcher = matcher.Value;
        ReadPanels();
        var scoped = !matcher.Value.MatchesAll;
        ViewModel = new WallViewModel(scoped ? new OnlineHistory() : Activity.History, Time) { RecordsHistory = scoped };
        if (RendererInfo.IsInteractive)
        {
            ViewModel.Updated = () => InvokeAsync(OnFeedUpdatedAsync);
            _feed = new SessionFeed(Store, matcher.Value, ViewModel, FeedOptions.Value, Activity, Time, FeedLogger);
            _panelTimer = Time.CreateTimer(_ => _ = InvokeAsync(RefreshPanels), null, PanelInterval, PanelInterval);
        }
    }

    private void ReadPanels()
    {
        if (_matcher is not { } matcher)
        {
            return;
        }
        var flapping = QueueRanking.Flapping(Flapping, Store, matcher, FlapMonitor.MaxTracked);
        FlappingCount = matcher.MatchesAll ? Flapping.Count : flapping.Count;
        FlappingClients = [.. flapping.Take(PanelLength)];
        LargestQueues = QueueRanking.Largest(Store, matcher, PanelLength);
    }

    private void RefreshPanels()
    {
        ReadPanels();
        StateHasChanged();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            // Also covers arriving by in-app navigation, where the page's own script tag does not run.
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./" + ScriptPath);
        }
    }

    private Task OnFeedUpdatedAsync()
    {
        StateHasChanged();
        // The watchdog's heartbeat: it shows "Connection lost" when these stop. Not awaited: the feed waits
        // for this method, and a beat sent while the browser is cut off is never answered, so awaiting it
        // held the wall's feed for the call's minute-long timeout after the connection came back (the
        // watchdog then reloaded the page). One beat at a time, each given up after a few seconds.
        if (_module is { } module && Interlocked.Exchange(ref _beating, 1) == 0)
        {
            _ = BeatAsync(module);
        }
        return Task.CompletedTask;
    }

    private async Task BeatAsync(IJSObjectReference module)
    {
        try
        {
            await module.InvokeVoidAsync("beat", BeatTimeout);
        }
        catch (Exception e) when (e is JSDisconnectedException or JSException or TaskCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // Cut off, or gone: the watchdog in the browser says so; the next update beats again.
        }
        finally
        {
            Volatile.Write(ref _beating, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _panelTimer?.Dispose();
        _feed?.Dispose();
        if (_module is not null)
        {
            try
            {
                // Leaving for another page of this circuit: the watchdog must not reload that page.
                await _module.InvokeVoidAsync("stop");
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone; so is the module reference.
            }
        }
    }
}
