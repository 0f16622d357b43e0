using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Store;

public class ThrottledSubscriptionTests
{
    [Fact]
    public void Changes_WithinOneInterval_GiveOneCall()
    {
        var (store, time) = TestStores.Create();
        var calls = 0;
        using var subscription = new ThrottledSubscription(store, TimeSpan.FromMilliseconds(100), () =>
        {
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        }, time);

        for (var i = 0; i < 50; i++)
        {
            store.Connect($"c{i}", i);
        }
        Assert.Equal(0, calls);
        // The first change after a quiet spell waits a tenth of the interval for its burst.
        time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(0, calls);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, calls);

        // The next call comes a whole interval after that one (at 110 ms), however early the change.
        store.Connect("late", 1);
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(1, calls);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Change_AfterAQuietInterval_CalledAfterTheSettleOnly()
    {
        var (store, time) = TestStores.Create();
        var calls = 0;
        using var subscription = new ThrottledSubscription(store, TimeSpan.FromMilliseconds(250), () =>
        {
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        }, time);
        store.Connect("a", 1);
        time.Advance(TimeSpan.FromMilliseconds(25));
        Assert.Equal(1, calls);

        time.Advance(TimeSpan.FromSeconds(1));
        store.Connect("b", 1);
        time.Advance(TimeSpan.FromMilliseconds(24));
        Assert.Equal(1, calls);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Dispose_StopsPendingAndLaterCalls()
    {
        var (store, time) = TestStores.Create();
        var calls = 0;
        var subscription = new ThrottledSubscription(store, TimeSpan.FromMilliseconds(100), () =>
        {
            calls++;
            return Task.CompletedTask;
        }, time);
        store.Connect("a", 1);

        subscription.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));
        store.Connect("b", 1);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, calls);
    }

    [Fact]
    public void Batch_ListsEachChangedQueueOnceWithItsLatestKindAndVersion()
    {
        var (store, time) = TestStores.Create();
        var batches = new List<ChangedKeys>();
        using var subscription = new ThrottledSubscription(store, TimeSpan.FromMilliseconds(100), batch =>
        {
            batches.Add(batch);
            return Task.CompletedTask;
        }, time);

        store.Connect("a", 1);
        store.Subscribe("a", "t/1");
        store.Connect("b", 2);
        store.Disconnect("b");
        var version = store.Version;
        time.Advance(TimeSpan.FromMilliseconds(10));

        var only = Assert.Single(batches);
        Assert.False(only.Resync);
        Assert.Equal(version, only.Version);
        Assert.Equal(new Dictionary<QueueKey, ChangeKind>
        {
            [TestStores.Key("a")] = ChangeKind.Subscribed,
            [TestStores.Key("b")] = ChangeKind.Offline,
        }, only.Keys);
        Assert.False(only.Contains(TestStores.Key("c")));
    }

    [Fact]
    public void Batch_MoreQueuesThanKept_SaysResyncInsteadOfListing()
    {
        var (store, time) = TestStores.Create();
        var batches = new List<ChangedKeys>();
        using var subscription = new ThrottledSubscription(store, TimeSpan.FromMilliseconds(100), batch =>
        {
            batches.Add(batch);
            return Task.CompletedTask;
        }, time, maxKeys: 3);

        for (var i = 0; i < 4; i++)
        {
            store.Connect($"c{i}", i);
        }
        time.Advance(TimeSpan.FromMilliseconds(10));
        store.Connect("after", 9);
        time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(2, batches.Count);
        Assert.True(batches[0].Resync);
        Assert.Empty(batches[0].Keys);
        Assert.True(batches[0].Contains(TestStores.Key("anything")));
        // The next batch lists again.
        Assert.False(batches[1].Resync);
        Assert.Equal([TestStores.Key("after")], batches[1].Keys.Keys);
    }

    [Fact]
    public void Relevant_OtherChangesNeverWakeTheSubscriber()
    {
        var (store, time) = TestStores.Create();
        var batches = new List<ChangedKeys>();
        using var subscription = new ThrottledSubscription(store, TimeSpan.FromMilliseconds(100), batch =>
        {
            batches.Add(batch);
            return Task.CompletedTask;
        }, time, relevant: change => change.Key == TestStores.Key("mine"));

        store.Connect("other", 1);
        store.Subscribe("other", "t");
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(batches);

        store.Connect("mine", 2);
        store.Connect("other2", 3);
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal([TestStores.Key("mine")], Assert.Single(batches).Keys.Keys);
    }

    [Fact]
    public async Task SlowCallback_NoSecondCallWhileItRuns_ThenOneWithWhatChangedMeanwhile()
    {
        var (store, time) = TestStores.Create();
        var batches = new List<ChangedKeys>();
        var release = new TaskCompletionSource();
        using var subscription = new ThrottledSubscription(store, TimeSpan.FromMilliseconds(100), async batch =>
        {
            batches.Add(batch);
            if (batches.Count == 1)
            {
                await release.Task;
            }
        }, time);

        store.Connect("a", 1);
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Single(batches);
        // The first call has not finished: changes wait, however long.
        store.Connect("b", 2);
        time.Advance(TimeSpan.FromSeconds(5));
        store.Connect("c", 3);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Single(batches);

        release.SetResult();
        await Task.Yield();
        // The whole interval since the last call has passed: the next one comes after the settle.
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(2, batches.Count);
        Assert.Equal([TestStores.Key("b"), TestStores.Key("c")], batches[1].Keys.Keys.OrderBy(k => k.ClientId, StringComparer.Ordinal));
    }
}
