using Dashboard.Core.Actions;
using Dashboard.Core.Sessions;
using Dashboard.Security;
using MudBlazor;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>
/// Disconnect and Reauthorize as a user does them, from any page: ask in a dialog, act through
/// <see cref="ISessionControl"/>, tell the result. Scoped: dialogs and snackbars belong to a circuit.
/// A refusal (the role may not act: the buttons were hidden, but a circuit may have outlived a demotion)
/// is told like a result, and the caller gets null as for a cancel.
/// </summary>
public sealed class SessionActions(IDialogService dialogs, ISnackbar snackbar, ISessionControl control)
{
    /// <summary>Asks whether to disconnect (and clean up) the client; null when the user cancelled.</summary>
    public async Task<DisconnectResult?> DisconnectAsync(QueueKey key)
    {
        var dialog = await dialogs.ShowAsync<DisconnectDialog>(
            "Disconnect", new DialogParameters<DisconnectDialog> { { d => d.ClientId, key.ClientId } });
        if (await dialog.Result is not { Canceled: false, Data: bool cleanup })
        {
            return null;
        }
        DisconnectResult result;
        try
        {
            result = await control.DisconnectAsync(new DisconnectRequest { ClientId = key.ClientId, Mountpoint = key.Mountpoint, Cleanup = cleanup });
        }
        catch (ActionNotAllowedException refused)
        {
            Notify(refused.Message, Severity.Error);
            return null;
        }
        catch (ActionFailedException failed)
        {
            Notify("Disconnect failed: " + failed.Message, Severity.Error);
            return null;
        }
        catch (SecurityDatabaseException unavailable)
        {
            Notify("Not disconnected: " + unavailable.Message, Severity.Error);
            return null;
        }
        Notify(result.Message, result.Found ? Severity.Success : Severity.Warning);
        return result;
    }

    /// <summary>
    /// Asks for the user name (starting from <paramref name="user"/>) and reauthorizes; the snackbar says
    /// what changed and, for a known client, a dialog lists the subscriptions removed and added or says
    /// Unchanged. Null when the user cancelled.
    /// </summary>
    public async Task<ReauthorizeResult?> ReauthorizeAsync(QueueKey key, string? user)
    {
        var dialog = await dialogs.ShowAsync<ReauthorizeDialog>(
            "Reauthorize",
            new DialogParameters<ReauthorizeDialog> { { d => d.ClientId, key.ClientId }, { d => d.User, user } });
        if (await dialog.Result is not { Canceled: false, Data: string chosen })
        {
            return null;
        }
        ReauthorizeResult result;
        try
        {
            result = await control.ReauthorizeAsync(new ReauthorizeRequest { User = chosen, ClientId = key.ClientId, Mountpoint = key.Mountpoint });
        }
        catch (ActionNotAllowedException refused)
        {
            Notify(refused.Message, Severity.Error);
            return null;
        }
        catch (ActionFailedException failed)
        {
            Notify("Reauthorize failed: " + failed.Message, Severity.Error);
            return null;
        }
        catch (SecurityDatabaseException unavailable)
        {
            Notify("Not reauthorized: " + unavailable.Message, Severity.Error);
            return null;
        }
        Notify(result.Message, !result.Found ? Severity.Warning : result.Changed ? Severity.Success : Severity.Info);
        if (result.Found)
        {
            // Shown, not awaited: the page refreshes behind it while the user reads.
            await dialogs.ShowAsync<ReauthorizeResultDialog>(
                "Reauthorize result", new DialogParameters<ReauthorizeResultDialog> { { d => d.Result, result } });
        }
        return result;
    }

    // A render fragment, not a string, so a hostile client id or topic in the message stays text.
    private void Notify(string message, Severity severity) =>
        snackbar.Add(builder => builder.AddContent(0, message), severity, configure => configure.VisibleStateDuration = 8000);
}
