using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests;

/// <summary>
/// Waits for a queue to reach a state, woken by the store's own change of that queue
/// (<see cref="SessionStore.WaitUntilAsync"/>) instead of polling. The 15 s bound is on the real clock,
/// whatever clock the store runs on, so a store on a fake clock cannot make a test wait for ever.
/// </summary>
internal static class StoreWaits
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>The queue once <paramref name="condition"/> holds for it; fails the test saying <paramref name="what"/> never happened.</summary>
    public static async Task<QueueState?> WaitForAsync(this SessionStore store, string clientId, Func<QueueState?, bool> condition, string what)
    {
        var key = new QueueKey("", clientId);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(Bound);
        try
        {
            if (await store.WaitUntilAsync(key, condition, Timeout.InfiniteTimeSpan, bound.Token))
            {
                return store.Get(key);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
        }
        Assert.Fail($"{clientId}: {what} within {Bound.TotalSeconds:F0} s; the store has {(store.Get(key) is { } queue ? $"online={queue.IsOnline}, {queue.Subscriptions.Length} subscriptions, {queue.Messages.Length} messages" : "no such queue")}");
        return null;
    }
}
