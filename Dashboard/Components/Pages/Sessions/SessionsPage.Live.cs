using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>The live side of the grid: the Pause switch and the brief highlight of rows a refresh changed.</summary>
public sealed partial class SessionsPage
{
    // Long enough to catch the eye, short enough that a busy grid does not glow constantly; the CSS
    // animation (row-flash in SessionsPage.razor.css) lasts as long.
    private static readonly TimeSpan HighlightDuration = TimeSpan.FromMilliseconds(1500);

    // The count of matches behind the limit: any change may move it, so it follows the store at this
    // slower pace, re-counting the queues changed meanwhile (docs/live-feed.md#inside-the-dashboard,
    // "the count behind the limit").
    private static readonly TimeSpan CountInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<QueueKey, DateTimeOffset> _highlightUntil = [];
    private bool _paused;
    private long _pausedAtVersion;
    private bool _changesWaiting;

    // The store's version counts internal writes, not what a person would call a change, so the note
    // says only whether anything is waiting.
    private string PausedText => _changesWaiting ? "Paused — changes waiting" : "Paused";

    // The store's throttled callback. A paused view keeps its rows and only notes that changes are waiting.
    private async Task OnStoreChangedAsync(ChangedKeys changes)
    {
        if (_paused)
        {
            // Only the chip's text can change, and only once: re-rendering the whole page four times a
            // second to show the same words would cost a busy broker's dashboard for nothing.
            if (!_changesWaiting && Store.Version != _pausedAtVersion)
            {
                _changesWaiting = true;
                StateHasChanged();
            }
            return;
        }
        // Most changes of a large broker touch no row of this page: then nothing runs and nothing renders.
        if (await ViewModel.RefreshAsync(changes))
        {
            await RenderRowsAsync();
        }
    }

    private async Task OnCountChangedAsync(ChangedKeys changes)
    {
        if (!_paused && await ViewModel.RecountAsync(changes))
        {
            StateHasChanged();
        }
    }

    private async Task SetPausedAsync(bool paused)
    {
        _paused = paused;
        if (paused)
        {
            _pausedAtVersion = Store.Version;
            _changesWaiting = false;
            return;
        }
        // Catch up at once rather than waiting for the next change.
        await RefreshAsync();
    }

    // Called after every refresh of the rows, before the grid renders them.
    private void MarkChangedRows()
    {
        var now = Time.GetUtcNow();
        foreach (var expired in _highlightUntil.Where(h => h.Value <= now).Select(h => h.Key).ToList())
        {
            _highlightUntil.Remove(expired);
        }
        foreach (var key in ViewModel.Changed)
        {
            _highlightUntil[key] = now + HighlightDuration;
        }
    }

    private string RowClass(GridRow row, int index)
    {
        if (ViewModel.KeyOf(row) is not { } key)
        {
            return "";
        }
        var changed = _highlightUntil.TryGetValue(key, out var until) && until > Time.GetUtcNow();
        var selected = _selected.Contains(key);
        var classes = (changed, selected) switch
        {
            (true, true) => "row-changed row-selected",
            (true, false) => "row-changed",
            (false, true) => "row-selected",
            _ => "",
        };
        // The operator marks (docs/operator-tools.md) also show as an edge on the row, whatever the columns.
        return ViewModel.StateOf(key) is { } queue && (queue.IsFlapping || queue.Marks != Core.Sessions.QueueMarks.None)
            ? (classes + " row-alert").TrimStart()
            : classes;
    }
}
