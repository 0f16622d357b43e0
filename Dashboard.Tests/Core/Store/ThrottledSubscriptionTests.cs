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
}
