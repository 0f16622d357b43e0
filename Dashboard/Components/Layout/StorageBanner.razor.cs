using System.Globalization;
using Dashboard.Broker.Persistence;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Layout;

/// <summary>The embedded broker's storage trouble, kept live; empty while all is well or with a VerneMQ source.</summary>
public sealed partial class StorageBanner : IDisposable
{
    private SessionJournal? _journal;

    [Inject]
    public required IServiceProvider Services { get; init; }

    private StorageProblem? Problem => _journal?.Problem;

    protected override void OnInitialized()
    {
        _journal = Services.GetService<SessionJournal>();
        if (_journal is not null && RendererInfo.IsInteractive)
        {
            _journal.ProblemChanged += OnChanged;
        }
    }

    private void OnChanged() => _ = InvokeAsync(StateHasChanged);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public void Dispose()
    {
        if (_journal is not null)
        {
            _journal.ProblemChanged -= OnChanged;
        }
    }
}
