using System.Globalization;
using Dashboard.Core.Actions;
using Dashboard.Core.Output;
using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Dashboard.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>The session grid: a <c>vmq-admin session show</c> query box, column chooser and filters over this node's store, kept live.</summary>
public sealed partial class SessionsPage : IDisposable
{
    /// <summary>Where the browser keeps the last view, so coming back to /sessions restores it.</summary>
    internal const string LastViewKey = "sessions.lastQuery";

    /// <summary>The last view's sort, beside its query (a separate key, so views remembered before sorting existed still load).</summary>
    internal const string LastSortKey = "sessions.lastSort";

    private ThrottledSubscription? _subscription;
    private ThrottledSubscription? _countSubscription;
    private MudDataGrid<GridRow>? _grid;
    private string? _queryText;
    private bool _applied;
    private bool _columnsOpen;
    private bool _queryPanelOpen;
    private bool _restoreChecked;
    private string? _appliedSort;
    private bool _mayAct;

    // Cancelled when the user leaves, so a bulk disconnect of thousands of sessions stops with the page.
    private readonly CancellationTokenSource _leaving = new();

    [Inject]
    public required SessionsViewModel ViewModel { get; init; }

    [Inject]
    public required SessionStore Store { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ISessionControl Control { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required SessionActions Actions { get; init; }

    [Inject]
    public required IAuthorizationService Authorization { get; init; }

    [Inject]
    public required ILogger<SessionsPage> Logger { get; init; }

    /// <summary>Who is signed in; a new value arrives when the circuit's revalidation changes it.</summary>
    [CascadingParameter]
    public Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>The query text, in the URL so that a view can be shared or bookmarked.</summary>
    [SupplyParameterFromQuery(Name = "q")]
    public string? UrlQuery { get; set; }

    /// <summary>The sort, <c>client_id</c> or <c>-client_id</c>, in the URL beside the query.</summary>
    [SupplyParameterFromQuery(Name = "sort")]
    public string? UrlSort { get; set; }

    // A sort on a column the query does not show (a stale bookmark) sorts nothing.
    private GridSort? Sort => GridSort.Parse(UrlSort) is { } sort && ViewModel.Columns.Contains(sort.Column) ? sort : null;

    private string QueryEcho => ViewModel.Query is { } query && query.ToText() is { Length: > 0 } text
        ? "session show " + text
        : "session show";

    // The grid's columns are declared in markup; a new grid per column set keeps its headers exact.
    // Whether the user may act adds or removes the select and action columns, so it is part of the set.
    private string ColumnsKey => string.Join(',', ViewModel.Columns) + (_mayAct ? ",+act" : "");

    protected override void OnInitialized()
    {
        // A prerender is thrown away; only the interactive render lives long enough to update.
        if (RendererInfo.IsInteractive)
        {
            _subscription = LivePace.Follow(Store, changes => InvokeAsync(() => OnStoreChangedAsync(changes)), Time);
            _countSubscription = new ThrottledSubscription(Store, CountInterval, changes => InvokeAsync(() => OnCountChangedAsync(changes)), Time);
        }
    }

    protected override void OnParametersSet()
    {
        var text = UrlQuery?.Trim() ?? "";
        if (!_applied || text != ViewModel.AppliedText)
        {
            _applied = true;
            _queryText = UrlQuery;
            Apply(text);
        }
        else if (UrlSort != _appliedSort)
        {
            _grid?.ReloadServerData();
        }
        _appliedSort = UrlSort;
    }

    protected override async Task OnParametersSetAsync()
    {
        var mayAct = await Authorization.AllowsAsync(AuthenticationState, Policies.Act);
        if (!mayAct)
        {
            // A selection that can no longer be disconnected would only mislead.
            ClearSelection();
        }
        _mayAct = mayAct;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || !RendererInfo.IsInteractive || _restoreChecked)
        {
            return;
        }
        _restoreChecked = true;
        // A bare /sessions opens the last view this browser used; a URL with a query wins.
        if (string.IsNullOrWhiteSpace(UrlQuery) && string.IsNullOrWhiteSpace(UrlSort))
        {
            string? last, lastSort;
            try
            {
                last = await JS.InvokeAsync<string?>("localStorage.getItem", LastViewKey);
                lastSort = await JS.InvokeAsync<string?>("localStorage.getItem", LastSortKey);
            }
            catch (Exception e) when (e is JSDisconnectedException or TaskCanceledException)
            {
                // The circuit went away (or the browser did not answer in time): there is no view to restore into.
                return;
            }
            if (!string.IsNullOrWhiteSpace(last) || !string.IsNullOrWhiteSpace(lastSort))
            {
                Navigate(last, GridSort.Parse(lastSort));
            }
        }
    }

    private void Apply(string text)
    {
        var columns = ColumnsKey;
        ViewModel.Apply(text);
        // A new query's rows did not change, they are new: a highlight from the old grid must not flash on them.
        _highlightUntil.Clear();
        // A new column set gets a new grid (see ColumnsKey) that loads itself; the old one is on its way out.
        if (columns == ColumnsKey)
        {
            _grid?.ReloadServerData();
        }
    }

    private async Task RefreshAsync()
    {
        // With a large store the query runs off this circuit's thread (shared with other pages on the same
        // query), so the page keeps answering while a million sessions are scanned.
        await ViewModel.RefreshAsync();
        await RenderRowsAsync();
    }

    private async Task RenderRowsAsync()
    {
        MarkChangedRows();
        if (_grid is not null)
        {
            await _grid.ReloadServerData();
        }
        StateHasChanged();
    }

    private Task<GridData<GridRow>> LoadRows(GridState<GridRow> state, CancellationToken cancellationToken)
    {
        var rows = ViewModel.Result?.Rows ?? [];
        var sortIndex = Sort is { } sort ? ViewModel.IndexOf(sort.Column) : -1;
        var page = GridPaging.Page(rows, sortIndex, Sort?.Descending ?? false, state.Page, state.PageSize,
            ViewModel.IndexOf("mountpoint"), ViewModel.IndexOf("client_id"));
        var all = rows.Count;
        _pageKeys = [.. page.Select(ViewModel.KeyOf).OfType<QueueKey>().Distinct()];
        return Task.FromResult(new GridData<GridRow> { Items = page, TotalItems = all });
    }

    private async Task DisconnectAsync(GridRow row)
    {
        if (ViewModel.KeyOf(row) is { } key && await Actions.DisconnectAsync(key) is not null)
        {
            await RefreshAsync();
        }
    }

    private async Task ReauthorizeAsync(GridRow row)
    {
        if (ViewModel.KeyOf(row) is { } key && await Actions.ReauthorizeAsync(key, ViewModel.UserOf(key)) is not null)
        {
            await RefreshAsync();
        }
    }

    // A render fragment, not a string, so a hostile client id or topic in the message stays text.
    private void Notify(string message, Severity severity) =>
        Snackbar.Add(builder => builder.AddContent(0, message), severity, configure => configure.VisibleStateDuration = 8000);

    private void OnQueryKeyDown(KeyboardEventArgs args)
    {
        if (args.Key is "Enter" or "NumpadEnter")
        {
            Run();
        }
    }

    private void Run() => Navigate(_queryText);

    private void ToggleColumnChooser() => _columnsOpen = !_columnsOpen;

    // Folded on a phone only (CSS); a query that failed stays open there, so its message is seen.
    private bool QueryPanelOpen => _queryPanelOpen || ViewModel.Error is not null;

    private void ToggleQueryPanel() => _queryPanelOpen = !QueryPanelOpen;

    private string QuerySummary => ViewModel.Query?.ToText() is { Length: > 0 } text ? text : "Every session, default columns";

    private void SetColumns(IReadOnlyList<string> columns) => Navigate(ViewModel.WithColumns(columns));

    /// <summary>One click to the operator tools' rows (docs/operator-tools.md); each is a plain filter of the query.</summary>
    private static readonly (string Label, FieldFilter Filter)[] QuickFilters =
    [
        ("Flapping", new FieldFilter("flapping", FilterKind.Equal, "true")),
        ("Queues over threshold", new FieldFilter("queue_over_threshold", FilterKind.Equal, "true")),
        ("Dropping messages", new FieldFilter("dropping", FilterKind.Equal, "true")),
    ];

    private bool HasFilter(FieldFilter filter) => ViewModel.Query?.Filters.Contains(filter) ?? false;

    private void AddFilter(FieldFilter filter) =>
        Navigate(ViewModel.WithFilters([.. ViewModel.Query?.Filters ?? [], filter]));

    private void RemoveFilter(FieldFilter filter) =>
        Navigate(ViewModel.WithFilters([.. (ViewModel.Query?.Filters ?? []).Where(f => f != filter)]));

    private void SetLimit(int limit)
    {
        if (limit > 0)
        {
            Navigate(ViewModel.WithLimit(limit));
        }
    }

    private void SortBy(string column) => Navigate(UrlQuery, GridSort.Next(Sort, column));

    private void Navigate(string? queryText) => Navigate(queryText, Sort);

    private void Navigate(string? queryText, GridSort? sort)
    {
        var text = queryText?.Trim() ?? "";
        // Unticking the sorted column drops the sort rather than keeping an invisible order.
        var sortParameter = sort is not null && ViewModel.ColumnsOf(text).Contains(sort.Column) ? sort.ToParameter() : null;
        _ = RememberAsync(text, sortParameter);
        if (text == (UrlQuery?.Trim() ?? "") && sortParameter == UrlSort)
        {
            // The URL already holds this view, so navigating would not run it again.
            _queryText = text;
            Apply(text);
            return;
        }
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["q"] = text.Length == 0 ? null : text,
            ["sort"] = sortParameter,
        }));
    }

    private async Task RememberAsync(string text, string? sort)
    {
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        try
        {
            await JS.InvokeVoidAsync("localStorage.setItem", LastViewKey, text);
            await JS.InvokeVoidAsync("localStorage.setItem", LastSortKey, sort ?? "");
        }
        catch (Exception e) when (e is JSDisconnectedException or TaskCanceledException)
        {
            // The circuit went away; there is no browser left to remember the view in.
        }
    }

    private string RowCountText(QueryResult result) => string.Create(
        CultureInfo.InvariantCulture,
        $"{result.Rows.Count} {(result.Rows.Count == 1 ? "row" : "rows")}{(ViewModel.MatchCount is not null ? $" of {ViewModel.MatchCountText} matching" : "")} · {result.Elapsed.TotalMilliseconds:0.#} ms");

    // Cells are cut at 40 characters (the page's CSS); a longer value shows whole on hover, up to a
    // length a tooltip can hold (the detail page has the rest).
    private static string? CellTitle(object? value)
    {
        const int cut = 40, most = 1_000;
        var text = ValueText.Printable(value);
        return text.Length <= cut ? null : text.Length <= most ? text : text[..most] + "…";
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _countSubscription?.Dispose();
        _leaving.Cancel();
        _leaving.Dispose();
    }
}
