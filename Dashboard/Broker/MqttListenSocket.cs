using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Dashboard.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Dashboard.Broker;

/// <summary>
/// Kestrel's listening sockets, with the MQTT listeners' segments capped at <c>Mqtt:MaxSegmentSize</c>
/// (docs/broker.md, "Small receive windows"): on loopback Linux picks segments of up to 64 KB, clamped
/// to half the largest window the client ever offered; a client with a small receive buffer (MQTTnet's
/// default is 8 KB) then offers a window just under one segment, and the kernel sends one segment per
/// 200 ms window probe, about 36 KB/s, until the subscriber's queue drains.
/// </summary>
internal sealed class MqttListenSocket
{
    // Linux's IPPROTO_TCP and TCP_MAXSEG (netinet/tcp.h).
    private const int IpProtocolTcp = 6;
    private const int TcpMaxSegment = 2;

    // The MQTT listeners' endpoints, the very objects given to Kestrel: with port 0 an HTTP listener on
    // the same address has an equal endpoint, and must not be capped (browsers offer large windows).
    private readonly ConcurrentDictionary<EndPoint, bool> _mqtt = new(ReferenceEqualityComparer.Instance);

    /// <summary>Notes <paramref name="endpoint"/> as an MQTT listener's; returns it, to give to Kestrel.</summary>
    public IPEndPoint Add(IPEndPoint endpoint)
    {
        _mqtt[endpoint] = true;
        return endpoint;
    }

    /// <summary>
    /// Binds <paramref name="endpoint"/> as Kestrel would; for an MQTT listener, caps its segments first.
    /// Accepted connections inherit the cap and announce it to the client.
    /// </summary>
    public Socket Create(EndPoint endpoint, MqttOptions mqtt)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        if (mqtt.MaxSegmentSize > 0 && OperatingSystem.IsLinux() && _mqtt.ContainsKey(endpoint))
        {
            try
            {
                socket.SetRawSocketOption(IpProtocolTcp, TcpMaxSegment, BitConverter.GetBytes(mqtt.MaxSegmentSize));
            }
            catch (SocketException)
            {
                // The cap only spares small-window clients a slow path; the listener works without it.
            }
        }
        return socket;
    }
}
