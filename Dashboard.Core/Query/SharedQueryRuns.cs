using Dashboard.Core.Store;

namespace Dashboard.Core.Query;

/// <summary>
/// Runs a query once for everyone who asks for it at about the same time, off the askers' threads:
/// several pages refreshing the same view of a million sessions share one scan instead of each
/// running its own. At most one run per query is in flight; whoever asks meanwhile waits for the next
/// run, which opens its snapshot after they asked, so nobody gets rows older than their request.
/// One per store (singleton).
/// </summary>
public sealed class SharedQueryRuns
{
    private readonly Func<SessionQuery, Result<QueryResult>> _run;
    private readonly Lock _lock = new();
    private readonly Dictionary<SessionQuery, Runs> _byQuery = [];

    /// <summary>Runs queries against <paramref name="store"/>.</summary>
    public SharedQueryRuns(SessionStore store)
        : this(query => QueryEngine.Run(query, store))
    {
    }

    /// <summary>For tests: runs queries with <paramref name="run"/>.</summary>
    internal SharedQueryRuns(Func<SessionQuery, Result<QueryResult>> run) => _run = run;

    /// <summary>The query's rows as of a moment after this call, from a run that may serve other callers too.</summary>
    public Task<Result<QueryResult>> RunAsync(SessionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            if (_byQuery.TryGetValue(query, out var runs))
            {
                // A run is under way; its snapshot may predate this request: join the next one.
                runs.Next ??= new TaskCompletionSource<Result<QueryResult>>(TaskCreationOptions.RunContinuationsAsynchronously);
                return runs.Next.Task;
            }
            var first = new TaskCompletionSource<Result<QueryResult>>(TaskCreationOptions.RunContinuationsAsynchronously);
            _byQuery[query] = new Runs();
            _ = Task.Run(() => RunAll(query, first));
            return first.Task;
        }
    }

    private void RunAll(SessionQuery query, TaskCompletionSource<Result<QueryResult>> current)
    {
        while (true)
        {
            try
            {
                current.SetResult(_run(query));
            }
            catch (Exception exception)
            {
                current.SetException(exception);
            }
            lock (_lock)
            {
                var runs = _byQuery[query];
                if (runs.Next is null)
                {
                    _byQuery.Remove(query);
                    return;
                }
                current = runs.Next;
                runs.Next = null;
            }
        }
    }

    private sealed class Runs
    {
        public TaskCompletionSource<Result<QueryResult>>? Next;
    }
}
