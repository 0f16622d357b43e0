using Dashboard.Components.Pages.Sessions;

namespace Dashboard.Tests.Components.Pages.Sessions;

/// <summary>The grid's rows keep their identity across refreshes, so the browser keeps their elements.</summary>
public sealed class GridPagingTests
{
    // mountpoint, client_id, topic: a queue with two subscriptions has two rows.
    private static object?[][] Result(string online) =>
    [
        ["", "a", "t/1", online],
        ["", "a", "t/2", online],
        ["", "b", "t/1", online],
    ];

    [Fact]
    public void Page_TheSameQueuesAfterARefresh_EqualRowsWhateverTheirCells()
    {
        var before = GridPaging.Page(Result("true"), -1, false, 0, 50, mountpointIndex: 0, clientIdIndex: 1);
        var after = GridPaging.Page(Result("false"), -1, false, 0, 50, mountpointIndex: 0, clientIdIndex: 1);

        Assert.Equal(before, after);
        Assert.Equal(before.Select(r => r.GetHashCode()), after.Select(r => r.GetHashCode()));
        Assert.Equal("false", after[0].Cells[3]);
        // Each row of a queue is its own row: the grid needs distinct keys.
        Assert.Equal(3, after.Distinct().Count());
    }

    [Fact]
    public void Page_Sorted_RowsKeepTheirIdentity()
    {
        var unsorted = GridPaging.Page(Result("true"), -1, false, 0, 50, mountpointIndex: 0, clientIdIndex: 1);
        var sorted = GridPaging.Page(Result("true"), 1, descending: true, 0, 50, mountpointIndex: 0, clientIdIndex: 1);

        Assert.Equal(["b", "a", "a"], sorted.Select(r => (string)r.Cells[1]!));
        Assert.Equal(unsorted[2], sorted[0]);
        Assert.Equal(unsorted.ToHashSet(), sorted.ToHashSet());
    }

    [Fact]
    public void Page_WithoutKeyColumns_RowsAreOnlyThemselves()
    {
        var first = GridPaging.Page(Result("true"), -1, false, 0, 50);
        var second = GridPaging.Page(Result("true"), -1, false, 0, 50);

        Assert.NotEqual(first[0], second[0]);
        Assert.Equal(first[0], first[0]);
    }
}
