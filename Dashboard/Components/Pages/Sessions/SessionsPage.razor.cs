using System.Globalization;
using Dashboard.Core.Query;
using Dashboard.Core.Store;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>The session table: a <c>vmq-admin session show</c> query box over this node's store, kept live.</summary>
public sealed partial class SessionsPage : IDisposable
{
    /// <summary>Rows put in the page at most; a large --limit must not turn into a page nobody can scroll.</summary>
    internal const int MaxRenderedRows = 1000;

    // A busy broker changes the store constantly; four refreshes a second keeps the table live
    // without re-running the query for every change.
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private ThrottledSubscription? _subscription;
    private string? _queryText;
    private bool _applied;

    [Inject]
    public required SessionsViewModel ViewModel { get; init; }

    [Inject]
    public required SessionStore Store { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    /// <summary>The query text, in the URL so that a view can be shared or bookmarked.</summary>
    [SupplyParameterFromQuery(Name = "q")]
    public string? UrlQuery { get; set; }

    private string QueryEcho => ViewModel.Query is { } query && query.ToText() is { Length: > 0 } text
        ? "session show " + text
        : "session show";

    protected override void OnInitialized()
    {
        // A prerender is thrown away; only the interactive render lives long enough to update.
        if (RendererInfo.IsInteractive)
        {
            _subscription = new ThrottledSubscription(Store, RefreshInterval, () => InvokeAsync(Refresh), Time);
        }
    }

    protected override void OnParametersSet()
    {
        var text = UrlQuery?.Trim() ?? "";
        if (!_applied || text != ViewModel.AppliedText)
        {
            _applied = true;
            _queryText = UrlQuery;
            ViewModel.Apply(text);
        }
    }

    private void Refresh()
    {
        ViewModel.Refresh();
        StateHasChanged();
    }

    private void OnQueryKeyDown(KeyboardEventArgs args)
    {
        if (args.Key is "Enter" or "NumpadEnter")
        {
            Run();
        }
    }

    private void Run()
    {
        var text = _queryText?.Trim() ?? "";
        if (text == (UrlQuery?.Trim() ?? ""))
        {
            // The URL already holds this query, so navigating would not run it again.
            ViewModel.Apply(text);
            return;
        }
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("q", text.Length == 0 ? null : text));
    }

    private static string RowCountText(QueryResult result) => string.Create(
        CultureInfo.InvariantCulture,
        $"{result.Rows.Count} {(result.Rows.Count == 1 ? "row" : "rows")} · {result.Elapsed.TotalMilliseconds:0.#} ms");

    public void Dispose() => _subscription?.Dispose();
}
