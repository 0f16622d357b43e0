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
internal static class MqttListenSocket
{
    // Linux's IPPROTO_TCP and TCP_MAXSEG (netinet/tcp.h).
    private const int IpProtocolTcp = 6;
    private const int TcpMaxSegment = 2;

    /// <summary>
    /// Binds <paramref name="endpoint"/> as Kestrel would; for an MQTT listener's address and port, caps
    /// its segments first. Accepted connections inherit the cap and announce it to the client. A port of 0
    /// cannot be told apart, so another listener asking for port 0 on the same address gets it too.
    /// </summary>
    public static Socket Create(EndPoint endpoint, MqttOptions mqtt)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        if (mqtt.MaxSegmentSize > 0 && OperatingSystem.IsLinux() && IsMqtt(endpoint, mqtt))
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

    private static bool IsMqtt(EndPoint endpoint, MqttOptions mqtt) =>
        endpoint is IPEndPoint ip && ip.Address.Equals(mqtt.Address)
        && ((mqtt.Plain && ip.Port == mqtt.Port) || (mqtt.Tls.Certificate is not null && ip.Port == mqtt.Tls.Port));
}
