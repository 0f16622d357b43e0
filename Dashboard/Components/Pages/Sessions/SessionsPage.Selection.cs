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
    private int _disconnectDone;
    private int _disconnectTotal;

    private string SelectedText => string.Create(CultureInfo.InvariantCulture, $"{_selected.Count:N0} selected");

    private string DisconnectSelectedText => _disconnecting
        ? string.Create(CultureInfo.InvariantCulture, $"Disconnecting {_disconnectDone:N0} of {_disconnectTotal:N0}…")
        : string.Create(CultureInfo.InvariantCulture, $"Disconnect selected ({_selected.Count:N0})");

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
                { d => d.Examples, keys.Take(BulkDisconnectDialog.ExampleCount).ToArray() },
            });
        if (await dialog.Result is not { Canceled: false, Data: bool cleanup })
        {
            return;
        }
        // Taken once: Dispose cancels and then disposes the source, after which its Token would throw.
        var cancellationToken = _leaving.Token;
        _disconnectTotal = keys.Length;
        _disconnectDone = 0;
        _disconnecting = true;
        StateHasChanged();
        int found = 0, failed = 0;
        string? refusal = null;
        var lastProgress = Time.GetUtcNow();
        try
        {
            // One after another: the broker's own disconnect is quick, and this keeps the page from
            // flooding it (and the store's change feed) with thousands of concurrent closes.
            foreach (var key in keys)
            {
                try
                {
                    var result = await Control.DisconnectAsync(
                        new DisconnectRequest { ClientId = key.ClientId, Mountpoint = key.Mountpoint, Cleanup = cleanup }, cancellationToken);
                    found += result.Found ? 1 : 0;
                }
                catch (ActionNotAllowedException refused)
                {
                    // The role may not act (demoted while the page was open): the first refusal says why and
                    // the rest are not tried, since each would be refused the same way.
                    refusal = refused.Message;
                    break;
                }
                catch (SecurityDatabaseException unavailable)
                {
                    // The audit log cannot take entries (read-only, locked): none of the rest could be done either.
                    refusal = "Stopped: " + unavailable.Message;
                    break;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // The user left the page: nobody is left to tell, so stop without a report.
                    return;
                }
                catch (Exception failure)
                {
                    // One session's failure (the audit log's database, the broker) must not end the run,
                    // lose the count or take the circuit down with it; the rest are still worth trying.
                    failed++;
                    LogBulkDisconnectFailed(Logger, failure, key.ClientId, key.Mountpoint);
                }
                _disconnectDone++;
                // A progress render per key would be thousands of renders; the refresh rate is plenty.
                if (Time.GetUtcNow() - lastProgress >= LivePace.Interval)
                {
                    lastProgress = Time.GetUtcNow();
                    StateHasChanged();
                }
            }
        }
        finally
        {
            _disconnecting = false;
        }
        if (refusal is not null)
        {
            Notify(refusal, Severity.Error);
            if (_disconnectDone == 0)
            {
                // Nothing happened, so the selection stays for when the role allows it again.
                return;
            }
        }
        var done = _disconnectDone;
        var missing = done - found - failed;
        var message = string.Create(CultureInfo.InvariantCulture,
            $"Disconnected {found:N0} of {keys.Length:N0}{(cleanup ? " and cleaned up their sessions" : "")}{(missing > 0 ? $"; {missing:N0} no longer existed" : "")}{(failed > 0 ? $"; {failed:N0} failed" : "")}{(done < keys.Length ? $"; {keys.Length - done:N0} not tried" : "")}");
        Notify(message, failed > 0 ? Severity.Error : found == keys.Length ? Severity.Success : Severity.Warning);
        ClearSelection();
        await RefreshAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bulk disconnect of client {ClientId} on mountpoint '{Mountpoint}' failed; continuing with the rest")]
    private static partial void LogBulkDisconnectFailed(ILogger logger, Exception exception, string clientId, string mountpoint);
}
