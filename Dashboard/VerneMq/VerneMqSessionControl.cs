using Dashboard.Core.Actions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.VerneMq;

/// <summary>
/// Disconnect and Reauthorize on a VerneMQ cluster, through its API (docs/vernemq.md). VerneMQ answers
/// both with one word ("Done", "Unchanged"); what changed is read back from the cluster right after, so
/// the result names the removed subscriptions as the embedded broker's does, and the store shows the
/// effect when the action returns.
/// </summary>
public sealed class VerneMqSessionControl(VerneMqClient client, VerneMqSource source) : ISessionControl
{
    /// <inheritdoc />
    public Task<DisconnectResult> DisconnectAsync(DisconnectRequest request, CancellationToken cancellationToken = default) =>
        Translated(() => DisconnectCoreAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<ReauthorizeResult> ReauthorizeAsync(ReauthorizeRequest request, CancellationToken cancellationToken = default) =>
        Translated(() => ReauthorizeCoreAsync(request, cancellationToken));

    // A node that cannot be asked is the operator's to know about, in words, not an unhandled error.
    private static async Task<T> Translated<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (VerneMqException exception)
        {
            throw new ActionFailedException(exception.Message, exception);
        }
    }

    private async Task<DisconnectResult> DisconnectCoreAsync(DisconnectRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RefuseWhatVerneMqCannotAddress(request.ClientId);
        var key = new QueueKey(request.Mountpoint, request.ClientId);
        var before = await source.ReadNowAsync(key, cancellationToken).ConfigureAwait(false);
        var query = $"client-id={Uri.EscapeDataString(request.ClientId)}"
            + (request.Mountpoint.Length > 0 ? $"&mountpoint={Uri.EscapeDataString(request.Mountpoint)}" : "")
            + (request.Cleanup ? "&--cleanup" : "");
        // Any node acts for the whole cluster (VerneMQ routes the action to the queue's node).
        await client.ApiAsync(source.ApiNode, "session/disconnect", query, cancellationToken).ConfigureAwait(false);
        var after = await SettleAsync(key, q => q is null || q.Session is null, cancellationToken).ConfigureAwait(false);
        return new DisconnectResult(request.ClientId, before is not null, before?.Session is not null, request.Cleanup && before is not null && after is null);
    }

    private async Task<ReauthorizeResult> ReauthorizeCoreAsync(ReauthorizeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RefuseWhatVerneMqCannotAddress(request.ClientId);
        var key = new QueueKey(request.Mountpoint, request.ClientId);
        var before = await source.ReadNowAsync(key, cancellationToken).ConfigureAwait(false);
        var query = $"username={Uri.EscapeDataString(request.User)}&client-id={Uri.EscapeDataString(request.ClientId)}"
            + (request.Mountpoint.Length > 0 ? $"&mountpoint={Uri.EscapeDataString(request.Mountpoint)}" : "");
        var answer = VerneMqClient.Text(await client.ApiAsync(source.ApiNode, "session/reauthorize", query, cancellationToken).ConfigureAwait(false));
        if (before is null)
        {
            return new ReauthorizeResult(request.ClientId, false, [], []);
        }
        var after = answer == "Unchanged" ? before
            : await SettleAsync(key, q => q is null || !SameTopics(q.Subscriptions, before.Subscriptions), cancellationToken).ConfigureAwait(false);
        var remaining = after?.Subscriptions ?? [];
        var removed = before.Subscriptions.Where(s => !remaining.Any(r => r.Topic == s.Topic)).Select(s => s.Topic).ToArray();
        var added = remaining.Where(r => !before.Subscriptions.Contains(r)).ToArray();
        return new ReauthorizeResult(request.ClientId, true, removed, added);
    }

    /// <summary>
    /// VerneMQ's API takes the client id by equality, compared with the id's UTF-8 bytes one by one as
    /// if each were a character: for an id with a non-ASCII character it answers "Done" and does
    /// nothing (docs/vernemq.md#webhooks). Saying so beats reporting an action that did not happen.
    /// </summary>
    private static void RefuseWhatVerneMqCannotAddress(string clientId)
    {
        if (clientId.Any(c => c > '\x7f'))
        {
            throw new ActionFailedException("VerneMQ's API cannot act on a client id with a non-ASCII character: it answers \"Done\" and does nothing, so the dashboard did not ask it.");
        }
    }

    private static bool SameTopics(IReadOnlyList<Subscription> a, IReadOnlyList<Subscription> b) =>
        a.Count == b.Count && a.All(s => b.Contains(s));

    /// <summary>Reads the client again until VerneMQ shows the effect, for at most a few seconds.</summary>
    private async Task<MirroredQueue?> SettleAsync(QueueKey key, Func<MirroredQueue?, bool> done, CancellationToken cancellationToken)
    {
        MirroredQueue? queue = null;
        for (var attempt = 0; attempt < 25; attempt++)
        {
            queue = await source.ReadNowAsync(key, cancellationToken).ConfigureAwait(false);
            if (done(queue))
            {
                return queue;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
        return queue;
    }
}
