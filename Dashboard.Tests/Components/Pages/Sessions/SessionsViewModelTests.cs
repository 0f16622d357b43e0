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
}
