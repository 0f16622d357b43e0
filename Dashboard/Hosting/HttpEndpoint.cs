using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Dashboard.Hosting;

/// <summary>
/// The address the dashboard's HTTP listener is bound to. With <c>Http:Port=0</c> the port is only
/// known once Kestrel has started, and the host's address list also holds the MQTT listener, so
/// whoever needs the dashboard's own URL (tests, start-up messages) asks here.
/// </summary>
public sealed class HttpEndpoint
{
    private ListenOptions? _listener;

    /// <summary>The dashboard's base URL once the server has started; null before.</summary>
    public Uri? Url => _listener?.IPEndPoint is { Port: > 0 } endPoint ? new Uri($"http://{endPoint}") : null;

    internal void Attach(ListenOptions listener) => _listener = listener;
}
