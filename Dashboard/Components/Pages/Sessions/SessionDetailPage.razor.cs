using System.Globalization;
using Dashboard.Core.Actions;
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
    private readonly CancellationTokenSource _disposed = new();
    private ThrottledSubscription? _subscription;
    private bool _readingMessages;
    private string? _messagesProblem;

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

    [Inject]
    public required IServiceProvider Services { get; init; }

    // Only a mirrored source registers one (a VerneMQ cluster); the embedded broker lists every message.
    private IQueuedMessageReader? MessageReader => Services.GetService<IQueuedMessageReader>();

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
            // Only this page's own queue: the changes of every other session never wake it.
            _subscription = LivePace.Follow(Store, _ => InvokeAsync(Refresh), Time, relevant: change => change.Key == ViewModel.Key);
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
            _messagesProblem = null;
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

    /// <summary>
    /// Reads the messages the mirror only counts, on the user's request; the store's change refreshes the
    /// card. A broker that cannot be asked is said in words on the card, never an unhandled error.
    /// </summary>
    private async Task ReadMessagesAsync()
    {
        if (ViewModel.Key is not { } key || MessageReader is not { } reader || _readingMessages)
        {
            return;
        }
        _readingMessages = true;
        _messagesProblem = null;
        try
        {
            if (await reader.ReadQueuedMessagesAsync(key, _disposed.Token) is null)
            {
                _messagesProblem = "VerneMQ no longer has this session.";
            }
        }
        catch (ActionFailedException exception)
        {
            _messagesProblem = "Could not read the queued messages: " + exception.Message;
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            _readingMessages = false;
        }
        Refresh();
    }

    private static string CountText(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {noun}{(count == 1 ? "" : "s")}");

    public void Dispose()
    {
        _subscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
