using System.Globalization;
using System.Net;
using Dashboard.Core.Actions;
using Dashboard.Core.Blocks;
using Dashboard.Core.Query;
using Dashboard.Core.Store;

namespace Dashboard.Security;

/// <summary>What adding a block did: the block, and the connected clients it closed.</summary>
/// <param name="Block">The block as stored.</param>
/// <param name="Disconnected">The client ids whose connections were closed.</param>
/// <param name="Failed">Client ids that matched but could not be disconnected, with why.</param>
public sealed record BlockAdded(ClientBlock Block, IReadOnlyList<string> Disconnected, IReadOnlyList<string> Failed)
{
    /// <summary>"Blocked the client id x with no expiry; disconnected 2 clients".</summary>
    public string Message
    {
        get
        {
            var text = $"Blocked the {Block.Kind.Label()} {Block.Pattern} {ClientBlockStore.Until(Block.Expires)}";
            text += Disconnected.Count switch
            {
                0 => "; no connected client matched",
                1 => $"; disconnected {Disconnected[0]}",
                var n => string.Create(CultureInfo.InvariantCulture, $"; disconnected {n:N0} clients"),
            };
            return Failed.Count == 0 ? text : text + "; could not disconnect " + string.Join(", ", Failed);
        }
    }
}

/// <summary>
/// Adding and removing blocks as a person or an API key does it, with the embedded broker as source:
/// who acts and whether they may (Operator, Admin or an API key of the mgmt scope, still current), the
/// audited change, and for a new block the disconnect of every connected client it matches,
/// each through the audited session control. Scoped, like the actor it asks. Not registered with a
/// VerneMQ source: see <see cref="UnavailableReason"/>.
/// </summary>
public sealed class ClientBlocking(
    ClientBlockStore store, SessionStore sessions, ISessionControl control, IActorAccessor actor, AuditLog audit, PrincipalValidator validator)
{
    /// <summary>Why blocking is not offered with a VerneMQ source.</summary>
    public const string UnavailableReason =
        "Blocking clients is not available with a VerneMQ source: VerneMQ has no API to block a client, and enforcing blocks " +
        "through an authentication hook that asks the dashboard would refuse every client whenever the dashboard is down.";

    /// <summary>Every block, newest first, expired ones included.</summary>
    public IReadOnlyList<ClientBlock> List() => store.List();

    /// <summary>Checks, stores and enforces a block, then disconnects the connected clients it matches.</summary>
    public async Task<Result<BlockAdded>> AddAsync(string? kind, string? pattern, string? reason, DateTimeOffset? expires, CancellationToken cancellationToken = default)
    {
        var who = await actor.GetIdentityAsync().ConfigureAwait(false);
        if (Refusal(who, AuditActions.BlockAdd, pattern ?? "", "block") is { } refused)
        {
            return Result<BlockAdded>.Fail(refused);
        }
        var added = store.Add(kind, pattern, reason, expires, who.Name);
        if (!added.IsSuccess)
        {
            return Result<BlockAdded>.Fail(added.Error!);
        }
        // The block is in force before the search, so a client that connects meanwhile is refused instead.
        var block = added.Value;
        var rule = BlockRule.Create(block)!;
        var matching = new List<Core.Sessions.QueueKey>();
        using (var snapshot = sessions.OpenSnapshot())
        {
            foreach (var queue in snapshot.Queues())
            {
                if (queue.IsOnline && queue.Sessions.Any(s => rule.Matches(queue.Key.ClientId, s.User,
                        IPAddress.TryParse(s.PeerHost, out var peer) ? peer : null)))
                {
                    matching.Add(queue.Key);
                }
            }
        }
        var disconnected = new List<string>();
        var failed = new List<string>();
        foreach (var key in matching)
        {
            try
            {
                var result = await control.DisconnectAsync(new DisconnectRequest { ClientId = key.ClientId, Mountpoint = key.Mountpoint }, cancellationToken)
                    .ConfigureAwait(false);
                if (result.WasOnline)
                {
                    disconnected.Add(key.ClientId);
                }
            }
            catch (Exception exception) when (exception is ActionFailedException or ActionNotAllowedException or SecurityDatabaseException)
            {
                failed.Add($"{key.ClientId} ({exception.Message})");
            }
        }
        return Result<BlockAdded>.Ok(new BlockAdded(block, disconnected, failed));
    }

    /// <summary>Removes a block; clients it refused may connect again at once.</summary>
    public async Task<Result<ClientBlock>> RemoveAsync(long id)
    {
        var who = await actor.GetIdentityAsync().ConfigureAwait(false);
        if (Refusal(who, AuditActions.BlockRemove, id.ToString(CultureInfo.InvariantCulture), "remove blocks") is { } refused)
        {
            return Result<ClientBlock>.Fail(refused);
        }
        return store.Remove(id, who.Name);
    }

    // As for disconnects: a signed-in principal must still stand and may act (Operator, Admin, an API key
    // of the mgmt scope); the refusal is audited.
    private string? Refusal(Actor who, string action, string target, string verb)
    {
        var user = who.User;
        string? refusal = null;
        if (user.Identity?.IsAuthenticated == true && !validator.IsCurrent(user))
        {
            refusal = "Refused: sign-in no longer valid";
        }
        else if (!user.MayAct())
        {
            refusal = user.Standing() is { } standing ? $"Refused: {standing}" : "Refused: not signed in";
        }
        if (refusal is null)
        {
            return null;
        }
        try
        {
            audit.Append(who.Name, action, target, "", refusal);
        }
        catch (SecurityDatabaseException)
        {
            // Refused all the same; only the entry is missing.
        }
        return refusal switch
        {
            "Refused: sign-in no longer valid" => $"Not allowed: your sign-in is no longer valid; sign in again to {verb}",
            "Refused: not signed in" => $"Not allowed: sign in to {verb}",
            _ => $"Not allowed: your {user.Standing()} cannot {verb}",
        };
    }
}
