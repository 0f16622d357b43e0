using Dashboard.Core.Broker;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Dashboard.Core.Actions;

/// <summary>Session actions on the embedded MQTTnet broker.</summary>
/// <remarks>
/// Each action returns once the store shows its effect (or after a short bound), so whoever asked can
/// read the sessions straight after and see the change.
/// </remarks>
public sealed class MqttSessionControl(MqttServer server, SessionStore store, SessionTracker tracker, ISubscriptionPolicy policy)
    : ISessionControl
{
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task<DisconnectResult> DisconnectAsync(DisconnectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Mountpoint.Length > 0)
        {
            // MQTTnet has only the default mountpoint.
            return new DisconnectResult(request.ClientId, false, false, false);
        }
        var key = new QueueKey("", request.ClientId);
        await tracker.DrainAsync(cancellationToken).ConfigureAwait(false);
        var known = store.Get(key) is not null;
        var wasOnline = false;
        try
        {
            await server.DisconnectClientAsync(request.ClientId, new MqttServerClientDisconnectOptions
            {
                ReasonCode = MqttDisconnectReasonCode.AdministrativeAction,
            }).ConfigureAwait(false);
            wasOnline = true;
        }
        catch (InvalidOperationException)
        {
            // Not connected: MQTTnet reports an unknown client this way.
        }
        var cleanedUp = false;
        if (request.Cleanup)
        {
            await WaitForAsync(key, state => state is not { IsOnline: true }, cancellationToken).ConfigureAwait(false);
            if (await FindSessionAsync(request.ClientId).ConfigureAwait(false) is { } session)
            {
                await session.DeleteAsync().ConfigureAwait(false);
                cleanedUp = true;
            }
            await WaitForAsync(key, state => state is null, cancellationToken).ConfigureAwait(false);
        }
        else if (wasOnline)
        {
            await WaitForAsync(key, state => state is not { IsOnline: true }, cancellationToken).ConfigureAwait(false);
        }
        return new DisconnectResult(request.ClientId, known || wasOnline || cleanedUp, wasOnline, cleanedUp);
    }

    /// <inheritdoc />
    public async Task<ReauthorizeResult> ReauthorizeAsync(ReauthorizeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await tracker.DrainAsync(cancellationToken).ConfigureAwait(false);
        if (request.Mountpoint.Length > 0 || store.Get(new QueueKey("", request.ClientId)) is not { } queue)
        {
            return new ReauthorizeResult(request.ClientId, false, [], []);
        }
        var recheck = policy.Recheck(request.User, request.ClientId, request.Mountpoint, queue.Subscriptions);
        if (recheck.Removed.Count > 0)
        {
            await server.UnsubscribeAsync(request.ClientId, [.. recheck.Removed]).ConfigureAwait(false);
        }
        if (recheck.Added.Count > 0)
        {
            await server.SubscribeAsync(request.ClientId, [.. recheck.Added.Select(ToFilter)]).ConfigureAwait(false);
        }
        await tracker.DrainAsync(cancellationToken).ConfigureAwait(false);
        return new ReauthorizeResult(request.ClientId, true, recheck.Removed, recheck.Added);
    }

    private async Task<MqttSessionStatus?> FindSessionAsync(string clientId)
    {
        try
        {
            return await server.GetSessionAsync(clientId).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // MQTTnet reports an unknown session this way.
            return null;
        }
    }

    private static MqttTopicFilter ToFilter(Subscription subscription) => new MqttTopicFilterBuilder()
        .WithTopic(subscription.Topic)
        .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)subscription.Qos)
        .WithRetainAsPublished(subscription.RetainAsPublished ?? false)
        .WithNoLocal(subscription.NoLocal ?? false)
        .Build();

    private async Task WaitForAsync(QueueKey key, Func<QueueState?, bool> condition, CancellationToken cancellationToken)
    {
        // The broker reports a closed connection after DisconnectClientAsync returns: wait a little for
        // the tracker to apply it, woken by the queue's own changes.
        await tracker.DrainAsync(cancellationToken).ConfigureAwait(false);
        // On the real clock: the wait is for the broker, whatever clock the store's tests give it.
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        settle.CancelAfter(SettleTime);
        try
        {
            await store.WaitUntilAsync(key, condition, Timeout.InfiniteTimeSpan, settle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Settle time over: the action's result is read from the store as it is.
        }
    }
}
