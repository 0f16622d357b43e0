using Dashboard.Core.Live;

namespace Dashboard.Tests.Core.Live;

public class ActivityTests
{
    [Fact]
    public void ChangeRate_EventsOlderThanAMinute_AreNotCounted()
    {
        var rate = new ChangeRate();
        var start = TestStores.Start;

        rate.Add(start, 3, 1);
        rate.Add(start.AddSeconds(30), 2, 0);
        rate.Add(start.AddSeconds(59), 0, 4);

        Assert.Equal((5L, 5L), rate.LastMinute(start.AddSeconds(59)));
        Assert.Equal((2L, 4L), rate.LastMinute(start.AddSeconds(60)));
        Assert.Equal((0L, 0L), rate.LastMinute(start.AddSeconds(200)));
    }

    [Fact]
    public void OnlineHistory_OverTwoHours_KeepsLastHourAndCoarsensSinceStart()
    {
        var history = new OnlineHistory(TimeSpan.FromSeconds(10), capacity: 100);
        var start = TestStores.Start;
        var end = start;
        for (var i = 0; i < 720; i++)
        {
            end = start.AddSeconds(10 * i);
            history.Record(end, i);
        }

        var hour = history.LastHour(end);
        Assert.Equal(360, hour.Count);
        Assert.Equal(719, hour[^1].Online);
        var all = history.SinceStart();
        Assert.InRange(all.Count, 50, 100);
        // Merged intervals keep their peak: the series still covers the start and ends at the latest.
        Assert.True(all[0].At <= start);
        Assert.Equal(719, all[^1].Online);
        Assert.Equal(all.Select(p => p.Online).Order(), all.Select(p => p.Online));
    }

    [Fact]
    public void OnlineHistory_SamplesInOneStep_KeepThePeak()
    {
        var history = new OnlineHistory(TimeSpan.FromSeconds(10));
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        history.Record(start, 4);
        history.Record(start.AddSeconds(3), 9);
        history.Record(start.AddSeconds(6), 2);

        Assert.Equal([new HistoryPoint(start, 9)], history.LastHour(start.AddSeconds(6)));
    }

    [Fact]
    public void SessionActivity_StoreChanges_CountsConnectsAndSamplesOnline()
    {
        var (store, time) = TestStores.Create();
        using var activity = new SessionActivity(store, time);

        store.Connect("a", 1);
        store.Connect("b", 2);
        store.Disconnect("a");
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal((2L, 1L), activity.Rate.LastMinute(time.GetUtcNow()));
        Assert.Equal(1, activity.History.LastHour(time.GetUtcNow())[^1].Online);
    }
}
