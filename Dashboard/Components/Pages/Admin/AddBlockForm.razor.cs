using Dashboard.Core.Blocks;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages.Admin;

/// <summary>Adds a block as the signed-in user; the page shows what it did.</summary>
public sealed partial class AddBlockForm
{
    private string _kind = BlockKinds.ClientIdName;
    private string? _pattern;
    private string? _reason;
    private string? _expires = "1h";
    private string? _error;
    private bool _busy;

    [Inject]
    public required TimeProvider Time { get; init; }

    [Parameter, EditorRequired]
    public required ClientBlocking Blocking { get; set; }

    /// <summary>Called with the block just added and the clients it disconnected.</summary>
    [Parameter]
    public EventCallback<BlockAdded> OnAdded { get; set; }

    private string PatternHelp => _kind switch
    {
        BlockKinds.ClientIdPatternName => "* is any run of characters, ? one character: sensor-*",
        BlockKinds.UserName => "The exact user name (case-sensitive)",
        BlockKinds.PeerAddressName => "An address (192.168.1.20, ::1) or a network (10.0.0.0/8)",
        _ => "The exact client id (case-sensitive)",
    };

    private async Task AddAsync()
    {
        var duration = BlockRules.ParseDuration(_expires);
        if (!duration.IsSuccess)
        {
            _error = duration.Error;
            return;
        }
        _busy = true;
        try
        {
            var expires = duration.Value is { } after ? Time.GetUtcNow() + after : (DateTimeOffset?)null;
            var added = await Blocking.AddAsync(_kind, _pattern, _reason, expires);
            if (!added.IsSuccess)
            {
                _error = added.Error;
                return;
            }
            (_error, _pattern, _reason) = (null, null, null);
            await OnAdded.InvokeAsync(added.Value);
        }
        finally
        {
            _busy = false;
        }
    }
}
