using System.Globalization;
using Dashboard.Core.Broker;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>
/// Starts, shows and stops a live trace of one client (docs/operator-tools.md). Starting is checked
/// here on the server (Operators and Admins) and audited, since a trace can show payloads.
/// </summary>
public sealed partial class TraceCard
{
    private readonly List<TracedPacket> _packets = [];
    private ClientTrace? _trace;
    private CancellationTokenSource? _reading;
    private bool _withPayloads;
    private bool _shownWithPayloads;
    private string? _message;

    [Parameter, EditorRequired]
    public required string ClientId { get; set; }

    [Parameter, EditorRequired]
    public required TimeZoneInfo Zone { get; set; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>Null with a VerneMQ source: the dashboard sees no packets there.</summary>
    private ClientTracer? Tracer => Services.GetService<ClientTracer>();

    private string StatusText => _message ?? (_trace switch
    {
        null => "Not tracing. A trace stops by itself after " + Limits,
        { End: TraceEnd.Running } trace => string.Create(CultureInfo.InvariantCulture,
            $"Tracing: {trace.Count:N0} of at most {Tracer!.Limits.MaxPackets:N0} packets; stops at {TimeZoneInfo.ConvertTime(trace.EndsAt, Zone):HH:mm:ss}"),
        { End: TraceEnd.PacketLimit } trace => string.Create(CultureInfo.InvariantCulture, $"Stopped after {trace.Count:N0} packets, the limit"),
        { End: TraceEnd.TimeLimit } trace => string.Create(CultureInfo.InvariantCulture, $"Stopped at the time limit, after {trace.Count:N0} packets"),
        { } trace => string.Create(CultureInfo.InvariantCulture, $"Stopped after {trace.Count:N0} packets"),
    });

    private string Limits => Tracer is { } tracer
        ? string.Create(CultureInfo.InvariantCulture, $"{tracer.Limits.MaxPackets:N0} packets or {tracer.Limits.Duration.TotalMinutes:0} minutes.")
        : "";

    private async Task StartAsync()
    {
        if (Tracer is not { } tracer || _trace is { End: TraceEnd.Running })
        {
            return;
        }
        // Resolved when used: a page that only shows the card needs neither.
        var audit = Services.GetRequiredService<AuditLog>();
        var who = await Services.GetRequiredService<IActorAccessor>().GetIdentityAsync();
        var parameters = AuditLog.Parameters(("payloads", _withPayloads));
        try
        {
            if (!who.User.HasRole(UserRole.Operator))
            {
                var role = who.User.RoleName();
                _message = role is null ? "Not allowed: sign in to trace" : $"Not allowed: your role {role} cannot trace";
                audit.Append(who.Name, AuditActions.SessionTrace, ClientId, parameters, role is null ? "Refused: not signed in" : $"Refused: role {role}");
                return;
            }
            // A trace shows packets, payloads too: not one the audit log could not record.
            if (audit.WriteProblem() is { } problem)
            {
                _message = "Not tracing: " + problem;
                return;
            }
            var started = tracer.Start(ClientId, _withPayloads);
            if (!started.IsSuccess)
            {
                _message = started.Error;
                audit.Append(who.Name, AuditActions.SessionTrace, ClientId, parameters, $"Refused: {started.Error}");
                return;
            }
            try
            {
                audit.Append(who.Name, AuditActions.SessionTrace, ClientId, parameters, "Started");
            }
            catch (SecurityDatabaseException)
            {
                started.Value.Stop();
                throw;
            }
            _message = null;
            _packets.Clear();
            _shownWithPayloads = _withPayloads;
            _trace = started.Value;
            _reading = new CancellationTokenSource();
            _ = ReadAsync(started.Value, _reading.Token);
        }
        catch (SecurityDatabaseException unavailable)
        {
            _message ??= "Not tracing: " + unavailable.Message;
        }
    }

    private async Task ReadAsync(ClientTrace trace, CancellationToken cancellation)
    {
        try
        {
            while (await trace.Packets.WaitToReadAsync(cancellation))
            {
                // Everything waiting at once, then one render.
                while (trace.Packets.TryRead(out var packet))
                {
                    _packets.Add(packet);
                }
                await InvokeAsync(StateHasChanged);
            }
            await InvokeAsync(StateHasChanged);
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    private void Stop() => _trace?.Stop();

    public ValueTask DisposeAsync()
    {
        _trace?.Stop();
        _reading?.Cancel();
        _reading?.Dispose();
        return ValueTask.CompletedTask;
    }
}
