using System.Security.Claims;
using Dashboard.Core.Actions;

namespace Dashboard.Security;

/// <summary>
/// Writes every disconnect and reauthorize to the audit log, with whoever asked, before the result goes
/// back: an action reported done is always on disk. Failures are written too ("No session ...", errors).
/// It also refuses a principal that may not act (<see cref="Policies.MayAct"/>: below Operator, an API key
/// of the read scope, nobody signed in), whatever the UI or the endpoint checked: the refusal is audited
/// and thrown as <see cref="ActionNotAllowedException"/>.
/// <paramref name="isCurrent"/> checks a signed-in principal (a user, or a stored API key: not revoked)
/// against the database at the moment of the action: an open page's sign-in is otherwise only re-checked
/// every 30 s, and a demoted Operator must not keep acting until then. An action whose entry the database could not take (read-only, locked) is
/// not done: <see cref="SecurityDatabaseException"/> says why, before anything happened. Why check, act,
/// then write rather than one transaction: docs/security.md, "The audit log".
/// </summary>
public sealed class AuditedSessionControl(
    ISessionControl inner, AuditLog audit, IActorAccessor actor, Func<ClaimsPrincipal, bool>? isCurrent = null) : ISessionControl
{
    public Task<DisconnectResult> DisconnectAsync(DisconnectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(AuditActions.SessionDisconnect, "disconnect", request.ClientId,
            AuditLog.Parameters(("mountpoint", request.Mountpoint), ("cleanup", request.Cleanup)),
            () => inner.DisconnectAsync(request, cancellationToken), result => result.Message);
    }

    public Task<ReauthorizeResult> ReauthorizeAsync(ReauthorizeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(AuditActions.SessionReauthorize, "reauthorize", request.ClientId,
            AuditLog.Parameters(("username", request.User), ("mountpoint", request.Mountpoint)),
            () => inner.ReauthorizeAsync(request, cancellationToken), result => result.Message);
    }

    // Who asks, whether they may, then the action and its entry: written before the result goes back,
    // and on failure too, since the action may have half happened.
    private async Task<T> RunAsync<T>(string action, string verb, string target, string parameters, Func<Task<T>> act, Func<T, string> outcome)
    {
        var who = await actor.GetIdentityAsync().ConfigureAwait(false);
        Authorize(who, action, target, parameters, verb);
        // Checked first: an action done but never written down is what the audit log exists to prevent.
        if (audit.WriteProblem() is { } problem)
        {
            throw new SecurityDatabaseException(problem);
        }
        T result;
        try
        {
            result = await act().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            AppendRefusal(who.Name, action, target, parameters, Failure(exception));
            throw;
        }
        try
        {
            audit.Append(who.Name, action, target, parameters, outcome(result));
        }
        catch (SecurityDatabaseException unavailable)
        {
            // The database went away between the check and the entry: done, and said so.
            throw new ActionFailedException($"{outcome(result)}, but the audit log could not record it: {unavailable.Message}", unavailable);
        }
        return result;
    }

    private void Authorize(Actor who, string action, string target, string parameters, string verb)
    {
        if (who.User is { Identity.IsAuthenticated: true } signedIn && isCurrent is not null && !isCurrent(signedIn))
        {
            AppendRefusal(who.Name, action, target, parameters, "Refused: sign-in no longer valid");
            throw new ActionNotAllowedException($"Not allowed: your sign-in is no longer valid; sign in again to {verb}");
        }
        if (who.User.MayAct())
        {
            return;
        }
        var standing = who.User.Standing();
        AppendRefusal(who.Name, action, target, parameters, standing is null ? "Refused: not signed in" : $"Refused: {standing}");
        throw new ActionNotAllowedException(standing is null
            ? $"Not allowed: sign in to {verb}"
            : $"Not allowed: your {standing} cannot {verb}");
    }

    // A refusal (or a failure) stands even when the database cannot hold its entry.
    private void AppendRefusal(string who, string action, string target, string parameters, string refusal)
    {
        try
        {
            audit.Append(who, action, target, parameters, refusal);
        }
        catch (SecurityDatabaseException)
        {
        }
    }

    // The action may have half happened (a disconnect before a cancelled cleanup), so the attempt is
    // recorded rather than dropped.
    private static string Failure(Exception exception) =>
        exception is OperationCanceledException ? "Cancelled" : $"Error: {exception.Message}";
}
