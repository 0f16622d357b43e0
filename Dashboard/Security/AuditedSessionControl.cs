using Dashboard.Core.Actions;

namespace Dashboard.Security;

/// <summary>
/// Writes every disconnect and reauthorize to the audit log, with whoever asked, before the result goes
/// back: an action reported done is always on disk. Failures are written too ("No session ...", errors).
/// </summary>
public sealed class AuditedSessionControl(ISessionControl inner, AuditLog audit, IActorAccessor actor) : ISessionControl
{
    public async Task<DisconnectResult> DisconnectAsync(DisconnectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var who = await actor.GetActorAsync().ConfigureAwait(false);
        var parameters = AuditLog.Parameters(("mountpoint", request.Mountpoint), ("cleanup", request.Cleanup));
        DisconnectResult result;
        try
        {
            result = await inner.DisconnectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            audit.Append(who, AuditActions.SessionDisconnect, request.ClientId, parameters, Failure(exception));
            throw;
        }
        audit.Append(who, AuditActions.SessionDisconnect, request.ClientId, parameters, result.Message);
        return result;
    }

    public async Task<ReauthorizeResult> ReauthorizeAsync(ReauthorizeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var who = await actor.GetActorAsync().ConfigureAwait(false);
        var parameters = AuditLog.Parameters(("username", request.User), ("mountpoint", request.Mountpoint));
        ReauthorizeResult result;
        try
        {
            result = await inner.ReauthorizeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            audit.Append(who, AuditActions.SessionReauthorize, request.ClientId, parameters, Failure(exception));
            throw;
        }
        audit.Append(who, AuditActions.SessionReauthorize, request.ClientId, parameters, result.Message);
        return result;
    }

    // The action may have half happened (a disconnect before a cancelled cleanup), so the attempt is
    // recorded rather than dropped.
    private static string Failure(Exception exception) =>
        exception is OperationCanceledException ? "Cancelled" : $"Error: {exception.Message}";
}
