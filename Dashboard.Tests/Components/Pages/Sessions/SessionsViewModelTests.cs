using Dashboard.Components.Pages.Sessions;
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
