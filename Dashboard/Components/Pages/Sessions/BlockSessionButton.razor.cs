using Dashboard.Core.Sessions;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>
/// Asks in <see cref="BlockClientDialog"/>, blocks through <see cref="ClientBlocking"/> (which disconnects
/// the matching clients) and says what happened. A self-contained component, so pages add it in one line.
/// </summary>
public sealed partial class BlockSessionButton
{
    [Inject]
    public required IServiceProvider Services { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    /// <summary>The session; null renders nothing useful (the grid's row without a key).</summary>
    [Parameter, EditorRequired]
    public QueueKey? Key { get; set; }

    /// <summary>The user name of its connection, offered as what to block.</summary>
    [Parameter]
    public string? User { get; set; }

    /// <summary>The address of its connection, offered as what to block.</summary>
    [Parameter]
    public string? PeerHost { get; set; }

    /// <summary>The grid's one-step "Disconnect and block for 1 hour" by client id.</summary>
    [Parameter]
    public bool Quick { get; set; }

    /// <summary>Called after a block was added, so the page can refresh.</summary>
    [Parameter]
    public EventCallback OnBlocked { get; set; }

    // Registered only with the embedded broker.
    private ClientBlocking? Blocking => Services.GetService<ClientBlocking>();

    private async Task BlockAsync()
    {
        if (Key is not { } key || Blocking is not { } blocking)
        {
            return;
        }
        var dialog = await Dialogs.ShowAsync<BlockClientDialog>(Quick ? "Disconnect and block" : "Block", new DialogParameters<BlockClientDialog>
        {
            { d => d.ClientId, key.ClientId },
            { d => d.User, User },
            { d => d.PeerHost, PeerHost },
            { d => d.Quick, Quick },
        });
        if (await dialog.Result is not { Canceled: false, Data: BlockChoice choice })
        {
            return;
        }
        var expires = choice.Duration is { } after ? Time.GetUtcNow() + after : (DateTimeOffset?)null;
        var added = await blocking.AddAsync(choice.Kind, choice.Pattern, choice.Reason, expires);
        // A render fragment, not a string, so a hostile client id in the message stays text.
        Snackbar.Add(builder => builder.AddContent(0, added.IsSuccess ? added.Value.Message : added.Error),
            !added.IsSuccess ? Severity.Error : added.Value.Failed.Count == 0 ? Severity.Success : Severity.Warning,
            configure => configure.VisibleStateDuration = 8000);
        if (added.IsSuccess)
        {
            await OnBlocked.InvokeAsync();
        }
    }
}
