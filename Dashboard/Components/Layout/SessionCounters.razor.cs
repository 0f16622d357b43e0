using Dashboard.Core.Store;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Layout;

/// <summary>Online and offline session totals of this node, kept live.</summary>
public sealed partial class SessionCounters : IDisposable
{
    private ThrottledSubscription? _subscription;

    [Inject]
    public required SessionStore Store { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    private StoreCounters Counters { get; set; } = new(0, 0, 0, 0, 0);

    protected override void OnInitialized()
    {
        Counters = Store.Counters;
        // Only an interactive render can update later; a prerender would only hold the subscription open.
        if (RendererInfo.IsInteractive)
        {
            // Only a queue's arrival, departure or change of presence moves the totals shown.
            _subscription = LivePace.Follow(Store, _ => InvokeAsync(Refresh), Time,
                relevant: change => change.Kind is ChangeKind.Created or ChangeKind.Online or ChangeKind.Offline or ChangeKind.Removed);
        }
    }

    private void Refresh()
    {
        var counters = Store.Counters;
        if (counters.Online == Counters.Online && counters.Offline == Counters.Offline)
        {
            return;
        }
        Counters = counters;
        StateHasChanged();
    }

    public void Dispose() => _subscription?.Dispose();
}
