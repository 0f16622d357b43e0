using System.Globalization;
using Dashboard.Core.Actions;
using Dashboard.Core.Output;
using Dashboard.Core.Sessions;
using Dashboard.Security;
using MudBlazor;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>
/// Selecting sessions and disconnecting them together. The selection holds queue keys, not rows, so it
/// survives live refreshes, paging and sorting; a selected session that has gone counts as not found.
/// </summary>
public sealed partial class SessionsPage
{
    private const int SelectLabelLength = 100;

    private readonly HashSet<QueueKey> _selected = [];
    private IReadOnlyList<QueueKey> _pageKeys = [];
    private string? _selectionNote;
    private bool _disconnecting;

    private string SelectedText => string.Create(CultureInfo.InvariantCulture, $"{_selected.Count:N0} selected");

    private string DisconnectSelectedText => string.Create(CultureInfo.InvariantCulture, $"Disconnect selected ({_selected.Count:N0})");

    // Tri-state: all rows of this page selected, some, or none.
    private bool? PageSelection
    {
        get
        {
            var selected = _pageKeys.Count(_selected.Contains);
            return selected == 0 ? false : selected == _pageKeys.Count ? true : null;
        }
    }

    private bool IsSelected(GridRow row) => ViewModel.KeyOf(row) is { } key && _selected.Contains(key);

    // Printable like the cells; cut because a 64 KB client id would otherwise be read out in full.
    private string SelectLabel(GridRow row)
    {
        if (ViewModel.KeyOf(row) is not { } key)
        {
            return "Select";
        }
        var name = ValueText.Printable(key.ToString());
        return name.Length <= SelectLabelLength ? $"Select {name}" : $"Select {name[..SelectLabelLength]}…";
    }

    private void SetSelected(GridRow row, bool selected)
    {
        if (ViewModel.KeyOf(row) is not { } key)
        {
            return;
        }
        _selectionNote = null;
        if (selected)
        {
            _selected.Add(key);
        }
        else
        {
            _selected.Remove(key);
        }
    }

    private void TogglePage(bool? _)
    {
        _selectionNote = null;
        if (PageSelection == true)
        {
            _selected.ExceptWith(_pageKeys);
        }
        else
        {
            _selected.UnionWith(_pageKeys);
        }
    }

    private void SelectAllMatching()
    {
        var keys = ViewModel.MatchingKeys(out var capped);
        _selected.Clear();
        _selected.UnionWith(keys);
        _selectionNote = capped
            ? string.Create(CultureInfo.InvariantCulture, $"the first {SessionsViewModel.MatchCountCap:N0} matching rows' sessions; more match")
            : "all matching the query";
    }

    private void ClearSelection()
    {
        _selected.Clear();
        _selectionNote = null;
    }

    private async Task DisconnectSelectedAsync()
    {
        // The dialog names exactly these; sessions selected while it is open are not included.
        QueueKey[] keys = [.. _selected.OrderBy(k => k.Mountpoint, StringComparer.Ordinal).ThenBy(k => k.ClientId, StringComparer.Ordinal)];
        if (keys.Length == 0)
        {
            return;
        }
        var dialog = await Dialogs.ShowAsync<BulkDisconnectDialog>(
            "Disconnect sessions",
            new DialogParameters<BulkDisconnectDialog>
            {
                { d => d.Count, keys.Length },
                { d => d.Examples, keys.Take(BulkDisconnectDialog.ExampleCount).Select(k => k.ToString()).ToArray() },
            });
        if (await dialog.Result is not { Canceled: false, Data: bool cleanup })
        {
            return;
        }
        _disconnecting = true;
        StateHasChanged();
        var found = 0;
        try
        {
            // One after another: the broker's own disconnect is quick, and this keeps the page from
            // flooding it (and the store's change feed) with thousands of concurrent closes.
            foreach (var key in keys)
            {
                var result = await Control.DisconnectAsync(new DisconnectRequest { ClientId = key.ClientId, Mountpoint = key.Mountpoint, Cleanup = cleanup });
                found += result.Found ? 1 : 0;
            }
        }
        catch (ActionNotAllowedException refused)
        {
            // The role may not act (demoted while the page was open): the first refusal says why and
            // the rest are not tried, since each would be refused the same way.
            Snackbar.Add(builder => builder.AddContent(0, refused.Message), Severity.Error, configure => configure.VisibleStateDuration = 8000);
            return;
        }
        finally
        {
            _disconnecting = false;
        }
        var message = string.Create(CultureInfo.InvariantCulture,
            $"Disconnected {found:N0} of {keys.Length:N0}{(cleanup ? " and cleaned up their sessions" : "")}{(found < keys.Length ? $"; {keys.Length - found:N0} no longer existed" : "")}");
        Snackbar.Add(builder => builder.AddContent(0, message), found == keys.Length ? Severity.Success : Severity.Warning,
            configure => configure.VisibleStateDuration = 8000);
        ClearSelection();
        await RefreshAsync();
    }
}
