using System.Globalization;
using Dashboard.VerneMq;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Layout;

/// <summary>Each VerneMQ node's health, kept live; empty when the source is the embedded broker.</summary>
public sealed partial class ClusterNodes : IDisposable
{
    private VerneMqNodes? _nodes;

    [Inject]
    public required IServiceProvider Services { get; init; }

    private IReadOnlyList<VerneMqNodeStatus>? Nodes => _nodes?.Nodes;

    protected override void OnInitialized()
    {
        _nodes = Services.GetService<VerneMqNodes>();
        if (_nodes is not null && RendererInfo.IsInteractive)
        {
            _nodes.Changed += OnChanged;
        }
    }

    private void OnChanged() => _ = InvokeAsync(StateHasChanged);

    // UTC, said so: the page may be read in another time zone than the server's.
    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public void Dispose()
    {
        if (_nodes is not null)
        {
            _nodes.Changed -= OnChanged;
        }
    }
}
