using Dashboard.Core.Sessions;

namespace Dashboard.Tests.Core.Store;

public class WaitUntilTests
{
    [Fact]
    public async Task WaitUntil_ConditionAlreadyTrue_ReturnsTrueAtOnce()
    {
        var (store, _) = TestStores.Create();
        store.Connect("a", 1);

        Assert.True(await store.WaitUntilAsync(new QueueKey("", "a"), state => state is { IsOnline: true }, TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WaitUntil_ChangeOfTheKey_Wakes_OtherKeysDoNot()
    {
        var (store, time) = TestStores.Create();
        var key = new QueueKey("", "watched");
        var checks = 0;
        var wait = store.WaitUntilAsync(key, state =>
        {
            Interlocked.Increment(ref checks);
            return state is { IsOnline: true };
        }, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);
        Assert.Equal(1, checks);

        // Other queues' changes do not even re-check the condition.
        store.Connect("other-1", 1);
        store.Connect("other-2", 2);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(1, checks);
        Assert.False(wait.IsCompleted);

        store.Connect("watched", 3);
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WaitUntil_NeverTrue_FalseWhenTheTimeoutPasses()
    {
        var (store, time) = TestStores.Create();
        var wait = store.WaitUntilAsync(new QueueKey("", "never"), state => state is not null, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(wait.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WaitUntil_CallerCancels_Throws()
    {
        var (store, _) = TestStores.Create();
        using var cancel = new CancellationTokenSource();
        var wait = store.WaitUntilAsync(new QueueKey("", "never"), state => state is not null, TimeSpan.FromMinutes(1), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
