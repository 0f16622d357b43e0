using Dashboard.Core.Query;
using Dashboard.Core.Store;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>
/// The sessions page's query state: the text last applied, the last query that parsed and ran, its
/// result, and the error of the latest attempt. A bad query never replaces the last good result.
/// </summary>
public sealed class SessionsViewModel(SessionStore store)
{
    /// <summary>The query text last applied (from the URL or the Run button); empty means the default query.</summary>
    public string AppliedText { get; private set; } = "";

    /// <summary>The last query that parsed and ran; live refreshes re-run it.</summary>
    public SessionQuery? Query { get; private set; }

    /// <summary>The rows of <see cref="Query"/> as of the last run.</summary>
    public QueryResult? Result { get; private set; }

    /// <summary>Why the latest applied text could not run; null when it ran.</summary>
    public string? Error { get; private set; }

    /// <summary>Parses and runs <paramref name="text"/>; on a mistake, keeps the previous query and rows.</summary>
    public void Apply(string? text)
    {
        AppliedText = text?.Trim() ?? "";
        var parsed = QueryParser.ParseText(AppliedText);
        if (!parsed.IsSuccess)
        {
            Error = parsed.Error;
            return;
        }
        var run = QueryEngine.Run(parsed.Value, store);
        if (!run.IsSuccess)
        {
            Error = run.Error;
            return;
        }
        Query = parsed.Value;
        Result = run.Value;
        Error = null;
    }

    /// <summary>Re-runs the last good query against the store's current state.</summary>
    public void Refresh()
    {
        if (Query is null)
        {
            return;
        }
        var run = QueryEngine.Run(Query, store);
        if (run.IsSuccess)
        {
            Result = run.Value;
        }
    }
}
