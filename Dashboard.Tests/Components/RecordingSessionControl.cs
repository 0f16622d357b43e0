using Dashboard.Core.Actions;
using Dashboard.Core.Sessions;

namespace Dashboard.Tests.Components;

/// <summary>Stands in for the broker: records what the page asked and answers like the real control.</summary>
internal sealed class RecordingSessionControl : ISessionControl
{
    public List<DisconnectRequest> Disconnects { get; } = [];

    public List<ReauthorizeRequest> Reauthorizations { get; } = [];

    /// <summary>What reauthorizing answers; by default "plant/secret" was removed.</summary>
    public Func<ReauthorizeRequest, ReauthorizeResult> ReauthorizeAnswer { get; set; } =
        request => new ReauthorizeResult(request.ClientId, Found: true, ["plant/secret"], Array.Empty<Subscription>());

    /// <summary>When set, every action is refused with this message, as the server refuses a role that may not act.</summary>
    public string? Refusal { get; set; }

    /// <summary>When it returns an exception for a request, disconnecting that client throws it, as a failing audit log or broker would.</summary>
    public Func<DisconnectRequest, Exception?>? DisconnectFailure { get; set; }

    /// <summary>When set, each disconnect first awaits this with the caller's token, so a test can hold one in flight.</summary>
    public Func<CancellationToken, Task>? DisconnectGate { get; set; }

    public async Task<DisconnectResult> DisconnectAsync(DisconnectRequest request, CancellationToken cancellationToken = default)
    {
        if (Refusal is not null)
        {
            throw new Dashboard.Security.ActionNotAllowedException(Refusal);
        }
        if (DisconnectGate is not null)
        {
            await DisconnectGate(cancellationToken);
        }
        if (DisconnectFailure?.Invoke(request) is { } failure)
        {
            throw failure;
        }
        Disconnects.Add(request);
        return new DisconnectResult(request.ClientId, Found: true, WasOnline: true, CleanedUp: request.Cleanup);
    }

    public Task<ReauthorizeResult> ReauthorizeAsync(ReauthorizeRequest request, CancellationToken cancellationToken = default)
    {
        Reauthorizations.Add(request);
        return Task.FromResult(ReauthorizeAnswer(request));
    }
}
