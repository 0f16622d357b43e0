using System.Globalization;
using Dashboard.Core.Blocks;
using Dashboard.Core.Output;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Dashboard.Components.Pages.Admin;

/// <summary>
/// /blocks, for Operators and Admins: the client blocks with their status, adding one, and removing one
/// after a confirmation. With a VerneMQ source it only says why blocking is unavailable.
/// </summary>
public sealed partial class BlocksPage : AdminPage, IDisposable
{
    // Often enough that a block is shown expired soon after its time; each look is one small SQLite read.
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(2);

    private IReadOnlyList<ClientBlock> _blocks = [];
    private Timer? _timer;

    [Inject]
    public required IServiceProvider Services { get; init; }

    // Registered only with the embedded broker.
    private ClientBlocking? Blocking => Services.GetService<ClientBlocking>();

    private string CountText => _blocks.Count == 1 ? "1 block" : string.Create(CultureInfo.InvariantCulture, $"{_blocks.Count:N0} blocks");

    protected override void OnInitialized() => Reload();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive && Blocking is not null)
        {
            _timer = new Timer(_ => InvokeAsync(() =>
            {
                Reload();
                StateHasChanged();
            }), null, StatusInterval, StatusInterval);
        }
    }

    protected override void Reload() => _blocks = Blocking?.List() ?? [];

    public void Dispose() => _timer?.Dispose();

    private static string Printable(string text) => ValueText.Printable(text);

    private void ShowAdded(BlockAdded added)
    {
        Snackbar.Add(builder => builder.AddContent(0, added.Message), added.Failed.Count == 0 ? Severity.Success : Severity.Warning);
        Reload();
    }

    private async Task RemoveAsync(ClientBlock block)
    {
        var dialog = await Dialogs.ShowAsync<ConfirmDialog>("Remove block", new DialogParameters<ConfirmDialog>
        {
            { d => d.Text, $"Remove the block of the {block.Kind.Label()} {block.Pattern}? Clients it refused can connect again." },
            { d => d.ConfirmText, "Remove" },
            { d => d.ConfirmColor, Color.Error },
        });
        if (await dialog.Result is not { Canceled: false } || Blocking is not { } blocking)
        {
            return;
        }
        var removed = await blocking.RemoveAsync(block.Id);
        Snackbar.Add(builder => builder.AddContent(0, removed.IsSuccess
                ? $"Removed the block of the {block.Kind.Label()} {block.Pattern}"
                : removed.Error),
            removed.IsSuccess ? Severity.Success : Severity.Error);
        Reload();
    }
}
