using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Dashboard.Hosting;

/// <summary>
/// Where a listener ended up. With port 0 the port is only known once Kestrel has started, and the
/// host's address list mixes the HTTP and MQTT listeners, so whoever needs one of them asks here.
/// </summary>
public abstract class BoundEndpoint
{
    private ListenOptions? _listener;

    /// <summary>The bound address once the server has started; null before.</summary>
    public IPEndPoint? EndPoint => _listener?.IPEndPoint is { Port: > 0 } endPoint ? endPoint : null;

    internal void Attach(ListenOptions listener) => _listener = listener;
}

/// <summary>The dashboard's HTTP listener (pages, hub, API, MQTT over WebSocket).</summary>
public sealed class HttpEndpoint : BoundEndpoint
{
    /// <summary>Whether it serves HTTPS (<c>Http:Certificate</c>).</summary>
    public bool IsHttps { get; internal set; }

    /// <summary>The dashboard's base URL once the server has started; null before.</summary>
    public Uri? Url => EndPoint is { } endPoint ? new Uri($"{(IsHttps ? "https" : "http")}://{endPoint}") : null;
}

/// <summary>The embedded broker's MQTT listener.</summary>
public sealed class MqttEndpoint : BoundEndpoint;

/// <summary>The embedded broker's MQTT over TLS listener, when <c>Mqtt:Tls:Certificate</c> is set.</summary>
public sealed class MqttTlsEndpoint : BoundEndpoint;
