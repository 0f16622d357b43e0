using System.Globalization;
using Dashboard.Broker;
using Dashboard.Core.Auth;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Layout;

/// <summary>
/// The embedded broker's ACL and password files in trouble, kept live: which file, what is wrong since
/// when, and which rules the broker applies meanwhile. Empty while all is well, without those files, or
/// with a VerneMQ source.
/// </summary>
public sealed partial class AuthFileBanner : IDisposable
{
    private AuthWatchers? _watchers;

    [Inject]
    public required IServiceProvider Services { get; init; }

    private IReadOnlyList<AuthFileTrouble> Troubles => _watchers?.Troubles ?? [];

    protected override void OnInitialized()
    {
        _watchers = Services.GetService<AuthWatchers>();
        if (_watchers is not null && RendererInfo.IsInteractive)
        {
            _watchers.ProblemChanged += OnChanged;
        }
    }

    private void OnChanged() => _ = InvokeAsync(StateHasChanged);

    internal static string Text(AuthFileTrouble trouble)
    {
        var problem = trouble.Problem;
        var what = problem.Kind switch
        {
            AuthFileProblemKind.Missing => "is missing",
            AuthFileProblemKind.Unreadable => "cannot be read",
            _ => "has malformed lines",
        };
        var detail = problem.Detail is { Length: > 0 } reason ? $" ({reason})" : "";
        var meanwhile = problem.LoadedAt is { } loaded
            ? $"the rules loaded at {Time(loaded)} stay in force until a valid file can be read."
            : trouble.Name == "ACL file"
                ? "no valid version was ever loaded, so no client may publish or subscribe to anything."
                : "no valid version was ever loaded, so no client with a user name can connect.";
        return $"The {trouble.Name} {trouble.Path} {what}{detail} since {Time(problem.Since)}: {meanwhile}";
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public void Dispose()
    {
        if (_watchers is not null)
        {
            _watchers.ProblemChanged -= OnChanged;
        }
    }
}
