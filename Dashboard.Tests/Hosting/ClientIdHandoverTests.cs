using Dashboard.Broker;
using Microsoft.Extensions.Time.Testing;
using static Dashboard.Broker.ClientIdHandover;

namespace Dashboard.Tests.Hosting;

/// <summary>
/// The order the handover keeps per client id (docs/reliability.md, "A reconnect racing the clean-up of
/// the connection before"): a new connection is set up only once the ending ones of its id have finished,
/// and an ending connection is cleaned up only once the new one has been set up.
/// </summary>
public sealed class ClientIdHandoverTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SettingUp_WaitsUntilTheEndingConnectionOfItsIdHasFinished_OtherIdsDoNotWait()
    {
        var handover = new ClientIdHandover();
        await handover.EnterAsync("sensor", Phase.Ending, Cancel);

        var next = handover.EnterAsync("sensor", Phase.SettingUp, Cancel).AsTask();
        await handover.EnterAsync("other", Phase.SettingUp, Cancel);
        await Task.Delay(100, Cancel);
        Assert.False(next.IsCompleted);

        handover.Leave("sensor", Phase.Ending);
        await next.WaitAsync(TimeSpan.FromSeconds(5), Cancel);
        handover.Leave("sensor", Phase.SettingUp);
        handover.Leave("other", Phase.SettingUp);
        Assert.Equal(0, handover.Count);
    }

    [Fact]
    public async Task Ending_WaitsWhileAConnectionOfItsIdIsSettingUp()
    {
        var handover = new ClientIdHandover();
        await handover.EnterAsync("sensor", Phase.SettingUp, Cancel);
        await handover.EnterAsync("sensor", Phase.SettingUp, Cancel);

        var ending = handover.EnterAsync("sensor", Phase.Ending, Cancel).AsTask();
        await Task.Delay(100, Cancel);
        Assert.False(ending.IsCompleted);

        handover.Leave("sensor", Phase.SettingUp);
        await Task.Delay(100, Cancel);
        Assert.False(ending.IsCompleted);
        handover.Leave("sensor", Phase.SettingUp);
        await ending.WaitAsync(TimeSpan.FromSeconds(5), Cancel);
        handover.Leave("sensor", Phase.Ending);
        Assert.Equal(0, handover.Count);
    }

    [Fact]
    public async Task AWaitThatOutlastsMaxWait_GoesOnAnyway()
    {
        var time = new FakeTimeProvider();
        var handover = new ClientIdHandover(time);
        await handover.EnterAsync("stuck", Phase.Ending, Cancel);

        var next = handover.EnterAsync("stuck", Phase.SettingUp, Cancel).AsTask();
        await Task.Delay(50, Cancel);
        Assert.False(next.IsCompleted);
        time.Advance(MaxWait);
        await next.WaitAsync(TimeSpan.FromSeconds(5), Cancel);
    }

    [Fact]
    public async Task SettingUp_Cancelled_WhileWaiting_IsNotCounted()
    {
        var handover = new ClientIdHandover();
        await handover.EnterAsync("sensor", Phase.Ending, Cancel);
        using var connectTimeout = new CancellationTokenSource();

        var next = handover.EnterAsync("sensor", Phase.SettingUp, connectTimeout.Token).AsTask();
        await connectTimeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);

        handover.Leave("sensor", Phase.Ending);
        Assert.Equal(0, handover.Count);
    }
}
