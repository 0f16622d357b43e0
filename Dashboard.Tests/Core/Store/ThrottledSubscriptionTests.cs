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
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, calls);

        store.Connect("late", 1);
        time.Advance(TimeSpan.FromMilliseconds(99));
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
