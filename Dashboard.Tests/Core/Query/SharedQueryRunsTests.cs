using Dashboard.Core.Query;

namespace Dashboard.Tests.Core.Query;

/// <summary>One run of a query for everyone asking at about the same time, never rows older than the request.</summary>
public class SharedQueryRunsTests
{
    private static readonly SessionQuery Query = QueryParser.ParseText("--client_id --topic=~^a/").Value;

    [Fact]
    public async Task AskedDuringARun_WaitForOneNextRun_TogetherAsked()
    {
        using var firstStarted = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var runs = 0;
        var shared = new SharedQueryRuns(_ =>
        {
            var run = Interlocked.Increment(ref runs);
            if (run == 1)
            {
                firstStarted.Release();
                release.Wait();
            }
            return Result<QueryResult>.Ok(new QueryResult([$"run {run}"], [], false, TimeSpan.Zero));
        });

        var first = shared.RunAsync(Query);
        await firstStarted.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        // Asked while run 1 is under way: its snapshot may be older than these requests.
        var second = shared.RunAsync(Query);
        var third = shared.RunAsync(Query with { });
        release.Release();

        Assert.Equal("run 1", (await first).Value.Columns[0]);
        Assert.Equal("run 2", (await second).Value.Columns[0]);
        Assert.Same((await second).Value, (await third).Value);
        Assert.Equal(2, runs);

        // Nothing under way any more: the next request starts a run of its own.
        Assert.Equal("run 3", (await shared.RunAsync(Query)).Value.Columns[0]);
    }

    [Fact]
    public async Task DifferentQueries_RunSeparately()
    {
        var seen = new List<string>();
        var shared = new SharedQueryRuns(query =>
        {
            lock (seen)
            {
                seen.Add(query.ToText());
            }
            return Result<QueryResult>.Ok(new QueryResult([], [], false, TimeSpan.Zero));
        });

        await Task.WhenAll(shared.RunAsync(Query), shared.RunAsync(QueryParser.ParseText("--client_id").Value));

        Assert.Equal(["--client_id", "--client_id --topic=~^a/"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunFails_CallerSeesTheException_NextRequestRunsAgain()
    {
        var calls = 0;
        var shared = new SharedQueryRuns(_ => ++calls == 1
            ? throw new InvalidOperationException("scan failed")
            : Result<QueryResult>.Ok(new QueryResult([], [], false, TimeSpan.Zero)));

        await Assert.ThrowsAsync<InvalidOperationException>(() => shared.RunAsync(Query));
        Assert.True((await shared.RunAsync(Query)).IsSuccess);
    }

    [Fact]
    public async Task RealStore_RowsIncludeChangesMadeBeforeTheRequest()
    {
        var (store, _) = TestStores.Create();
        var shared = new SharedQueryRuns(store);
        store.Connect("c1", 1);
        store.Subscribe("c1", "a/1");

        var before = await shared.RunAsync(Query);
        store.Connect("c2", 2);
        store.Subscribe("c2", "a/2");
        var after = await shared.RunAsync(Query);

        Assert.Equal(["c1"], before.Value.Column("client_id"));
        Assert.Equal(["c2", "c1"], after.Value.Column("client_id"));
    }
}
