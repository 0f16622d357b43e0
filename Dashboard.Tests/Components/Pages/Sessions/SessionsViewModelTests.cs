using Dashboard.Components.Pages.Sessions;
using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Components.Pages.Sessions;

public class SessionsViewModelTests
{
    private static SessionStore StoreWith(int sessions)
    {
        var store = new SessionStore("vm@test");
        var events = Enumerable.Range(0, sessions)
            .Select(i => (StoreEvent)new ClientConnected(new QueueKey("", $"c{i:D5}"), false, null, "127.0.0.1", i, 4))
            .ToArray();
        store.Apply(events);
        return store;
    }

    [Fact]
    public async Task RefreshAsync_LargeStore_SharedRunOffThePageShowsNewRowsAndCount()
    {
        var store = StoreWith((int)SessionsViewModel.SharedRefreshSessions);
        var shared = new SharedQueryRuns(store);
        var viewModel = new SessionsViewModel(store, shared);
        var other = new SessionsViewModel(store, shared);
        viewModel.Apply("--client_id --client_id=~^c0000 --limit=5");
        other.Apply("--client_id --client_id=~^c0000 --limit=5");
        store.Apply(new ClientConnected(new QueueKey("", "c00009x"), false, null, "127.0.0.1", 1, 4));

        await Task.WhenAll(viewModel.RefreshAsync(), other.RefreshAsync());

        // c00000 … c00009 and the new one match; client ids run descending, the limit keeps five.
        Assert.Equal(["c00009x", "c00009", "c00008", "c00007", "c00006"], viewModel.Result!.Rows.Select(r => (string)r[0]!));
        Assert.Equal((11, false), (viewModel.MatchCount, viewModel.MatchCountCapped));
        Assert.Equal(viewModel.Result.Rows.Select(r => r[0]), other.Result!.Rows.Select(r => r[0]));
        Assert.Contains(new QueueKey("", "c00009x"), viewModel.Changed);
    }

    [Fact]
    public async Task RefreshAsync_QueryAppliedWhileRunning_KeepsTheNewQuerysRows()
    {
        var store = StoreWith((int)SessionsViewModel.SharedRefreshSessions);
        var viewModel = new SessionsViewModel(store, new SharedQueryRuns(store));
        viewModel.Apply("--client_id --limit=3");

        var refresh = viewModel.RefreshAsync();
        viewModel.Apply("--client_id --client_id=c00001");
        await refresh;

        Assert.Equal(["c00001"], viewModel.Result!.Rows.Select(r => (string)r[0]!));
    }

    [Fact]
    public void Apply_LimitCutsResult_CountsMatchingRows()
    {
        var viewModel = new SessionsViewModel(StoreWith(250));

        viewModel.Apply("--limit=100");

        Assert.Equal((250, false, "250"), (viewModel.MatchCount, viewModel.MatchCountCapped, viewModel.MatchCountText));
    }

    [Fact]
    public void Apply_MoreMatchesThanTheCap_SaysMoreThanInsteadOfCountingAll()
    {
        var viewModel = new SessionsViewModel(StoreWith(SessionsViewModel.MatchCountCap + 5));

        viewModel.Apply("");

        Assert.True(viewModel.MatchCountCapped);
        Assert.Equal("more than 10,000", viewModel.MatchCountText);
    }

    [Fact]
    public void Apply_LimitNotReached_HasNoCount()
    {
        var viewModel = new SessionsViewModel(StoreWith(3));

        viewModel.Apply("");

        Assert.Null(viewModel.MatchCount);
    }

    private static ChangedKeys Changed(SessionStore store, params string[] clientIds) =>
        new(clientIds.ToDictionary(id => new QueueKey("", id), _ => ChangeKind.Online), store.Version, Resync: false);

    private static void Reconnect(SessionStore store, string clientId, int port) =>
        store.Apply(new ClientConnected(new QueueKey("", clientId), false, null, "127.0.0.1", port, 4));

    [Fact]
    public async Task RefreshAsync_ChangeBehindTheLimit_NothingRunsAgainAndNothingToRender()
    {
        var store = StoreWith(250);
        var viewModel = new SessionsViewModel(store);
        viewModel.Apply("--client_id --peer_port --limit=10");
        var rows = viewModel.Result;

        Reconnect(store, "c00100", 9999);
        var render = await viewModel.RefreshAsync(Changed(store, "c00100"));

        Assert.False(render);
        Assert.Same(rows, viewModel.Result);
        Assert.Empty(viewModel.Changed);
        Assert.Equal(250, viewModel.MatchCount);
    }

    [Fact]
    public async Task RefreshAsync_ChangeOfAShownRow_RunsAgainAndHighlightsThatQueueOnly()
    {
        var store = StoreWith(250);
        var viewModel = new SessionsViewModel(store);
        viewModel.Apply("--client_id --peer_port --limit=10");

        Reconnect(store, "c00245", 7777);
        var render = await viewModel.RefreshAsync(Changed(store, "c00245"));

        Assert.True(render);
        // Client ids run descending in key order: c00249 … c00240 are shown.
        var row = Assert.Single(viewModel.Result!.Rows, r => (string)r[viewModel.IndexOf("client_id")]! == "c00245");
        Assert.Equal(7777L, Convert.ToInt64(row[viewModel.IndexOf("peer_port")], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([new QueueKey("", "c00245")], viewModel.Changed);
    }

    [Fact]
    public async Task RefreshAsync_NewQueue_ShownWhenItFallsWithinTheLimitElseOnlyCountedByRecount()
    {
        var store = StoreWith(250);
        var viewModel = new SessionsViewModel(store);
        viewModel.Apply("--client_id --peer_port --limit=10");

        // Sorts between c00248 and c00249: among the first ten.
        Reconnect(store, "c00248x", 1);
        Assert.True(await viewModel.RefreshAsync(Changed(store, "c00248x")));
        Assert.Contains("c00248x", viewModel.Result!.Rows.Select(r => (string)r[viewModel.IndexOf("client_id")]!));
        Assert.Equal([new QueueKey("", "c00248x")], viewModel.Changed);
        // The count behind the limit follows at its own pace.
        Assert.Equal(250, viewModel.MatchCount);
        Assert.True(await viewModel.RecountAsync(Changed(store, "c00248x")));
        Assert.Equal(251, viewModel.MatchCount);

        // Sorts after every shown row: the rows stay, only the count behind the limit moves.
        var rows = viewModel.Result;
        Reconnect(store, "c00000a", 1);
        Assert.False(await viewModel.RefreshAsync(Changed(store, "c00000a")));
        Assert.Same(rows, viewModel.Result);
        Assert.Empty(viewModel.Changed);
        Assert.True(await viewModel.RecountAsync(Changed(store, "c00000a")));
        Assert.Equal(252, viewModel.MatchCount);
        Assert.False(await viewModel.RecountAsync(Changed(store)));
    }

    [Fact]
    public async Task RefreshAsync_FilteredView_NonMatchingChangeIgnoredMatchingOneShown()
    {
        var store = StoreWith(250);
        var viewModel = new SessionsViewModel(store);
        viewModel.Apply("--client_id --client_id=~^c001 --limit=1000");
        var rows = viewModel.Result;

        Reconnect(store, "c00200", 5);
        Assert.False(await viewModel.RefreshAsync(Changed(store, "c00200")));
        Assert.Same(rows, viewModel.Result);

        Reconnect(store, "c00150x", 5);
        Assert.True(await viewModel.RefreshAsync(Changed(store, "c00150x")));
        Assert.Equal(101, viewModel.Result!.Rows.Count);
        Assert.Null(viewModel.MatchCount);
    }

    [Fact]
    public async Task RefreshAsync_Resync_RunsAgainAndFindsEveryChange()
    {
        var store = StoreWith(20);
        var viewModel = new SessionsViewModel(store);
        viewModel.Apply("--client_id --peer_port");

        Reconnect(store, "c00003", 4242);
        Reconnect(store, "c00004", 4343);
        Assert.True(await viewModel.RefreshAsync(new ChangedKeys(new Dictionary<QueueKey, ChangeKind>(), store.Version, Resync: true)));

        Assert.Equal([new QueueKey("", "c00003"), new QueueKey("", "c00004")], viewModel.Changed.OrderBy(k => k.ClientId, StringComparer.Ordinal));
    }

    private static void Subscribe(SessionStore store, string clientId, params string[] topics) =>
        store.Apply([.. topics.Select(t => (StoreEvent)new SubscriptionAdded(new QueueKey("", clientId), new Subscription(t, 1)))]);

    [Fact]
    public async Task RecountAsync_RowsPerSubscription_FollowsEachChangedQueueWithoutAFullCount()
    {
        // Five queues, c00000 … c00004; with --topic each subscription is a row and a queue without any gives none.
        var store = StoreWith(5);
        Subscribe(store, "c00000", "a/1", "a/2");
        Subscribe(store, "c00001", "a/3");
        Subscribe(store, "c00002", "b/1");
        var viewModel = new SessionsViewModel(store);
        viewModel.Apply("--client_id --topic --topic=~^a/ --limit=1");
        // a/1, a/2 of c00000 and a/3 of c00001.
        Assert.Equal(3, viewModel.MatchCount);

        // Two more matching subscriptions on a queue that had none, one that does not match, one removed.
        Subscribe(store, "c00003", "a/4", "a/5", "b/2");
        store.Apply(new SubscriptionRemoved(new QueueKey("", "c00000"), "a/2"));
        Assert.True(await viewModel.RecountAsync(Changed(store, "c00003", "c00000")));
        Assert.Equal(4, viewModel.MatchCount);

        // A queue gone gives no row; a queue never seen before counts its own rows.
        store.Apply(new QueueRemoved(new QueueKey("", "c00001")));
        store.Apply(new ClientConnected(new QueueKey("", "d"), false, null, "127.0.0.1", 1, 4));
        Subscribe(store, "d", "a/6", "a/7");
        Assert.True(await viewModel.RecountAsync(Changed(store, "c00001", "d")));
        Assert.Equal(5, viewModel.MatchCount);

        // Told again about queues already counted: the count does not move.
        Assert.False(await viewModel.RecountAsync(Changed(store, "c00003", "c00000", "d", "c00001")));
        Assert.Equal(5, viewModel.MatchCount);
        Assert.Equal(["a/1", "a/4", "a/5", "a/6", "a/7"], Topics(viewModel));

        static string[] Topics(SessionsViewModel viewModel)
        {
            viewModel.Apply("--topic --topic=~^a/");
            return [.. viewModel.Result!.Rows.Select(r => (string)r[viewModel.IndexOf("topic")]!).Order(StringComparer.Ordinal)];
        }
    }

    [Fact]
    public async Task RecountAsync_CountGrowsPastTheCap_SaysMoreThanAndCountsInFullWhenItShrinks()
    {
        var store = StoreWith(SessionsViewModel.MatchCountCap);
        var viewModel = new SessionsViewModel(store);
        viewModel.Apply("--client_id --limit=10");
        Assert.Equal((10_000, false), (viewModel.MatchCount, viewModel.MatchCountCapped));

        Reconnect(store, "extra", 1);
        Assert.True(await viewModel.RecountAsync(Changed(store, "extra")));
        Assert.Equal("more than 10,000", viewModel.MatchCountText);

        store.Apply(new QueueRemoved(new QueueKey("", "extra")));
        store.Apply(new QueueRemoved(new QueueKey("", "c00000")));
        Assert.True(await viewModel.RecountAsync(Changed(store, "extra", "c00000")));
        Assert.Equal((9_999, false), (viewModel.MatchCount, viewModel.MatchCountCapped));
    }

    [Fact]
    public async Task RecountAsync_QueueChangedWhileAFullCountRuns_CountedWhenThatCountLands()
    {
        // A large store counts off the page's thread; the count's snapshot is taken before the change
        // and lands after the page has already counted the changed queue on its own.
        var store = StoreWith((int)SessionsViewModel.SharedRefreshSessions);
        using var snapshotTaken = new SemaphoreSlim(0);
        using var land = new SemaphoreSlim(0);
        var shared = new SharedQueryRuns(query =>
        {
            var result = QueryEngine.Run(query, store);
            snapshotTaken.Release();
            land.Wait(TimeSpan.FromSeconds(30));
            return result;
        });
        var viewModel = new SessionsViewModel(store, shared);
        // c00000 … c00099 match.
        viewModel.Apply("--client_id --client_id=~^c000 --limit=10");
        Assert.Equal(100, viewModel.MatchCount);

        var refresh = viewModel.RefreshAsync();
        await snapshotTaken.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        land.Release();
        // The count's own snapshot: taken, not yet landed.
        await snapshotTaken.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Reconnect(store, "c000new", 1);
        Assert.True(await viewModel.RecountAsync(Changed(store, "c000new")));
        Assert.Equal(101, viewModel.MatchCount);
        land.Release();
        await refresh;

        Assert.Equal(101, viewModel.MatchCount);
    }
}
