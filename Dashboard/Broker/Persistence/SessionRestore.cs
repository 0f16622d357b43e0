using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Dashboard.Core.Broker;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Dashboard.Broker.Persistence;

/// <summary>
/// Puts the persistent sessions the journal read back into the broker and the store at start
/// (docs/persistence.md). MQTTnet has no way to create a session other than a client connecting, so
/// each session is made by an in-memory connection that never touches a socket: CONNECT with clean
/// session off, SUBSCRIBE with the stored subscriptions, DISCONNECT. Its queued messages are then put in
/// the session's queue in order, and the store is told the session as it was. Runs before the broker's
/// own handlers are attached and before any client is let in, so nothing sees these connections.
/// </summary>
internal sealed partial class SessionRestore(SessionTracker tracker, ILogger<SessionRestore> logger)
{
    public async Task RunAsync(MqttServer server, Func<IMqttChannelAdapter, Task> clientHandler, IReadOnlyList<RestoredSession> sessions)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = 0;
        foreach (var session in sessions)
        {
            try
            {
                await RestoreAsync(server, clientHandler, session).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is InvalidOperationException or MqttCommunicationException or OperationCanceledException)
            {
                failed++;
                LogRestoreFailed(session.ClientId, exception.Message);
            }
        }
        await tracker.DrainAsync().ConfigureAwait(false);
        LogRestored(sessions.Count - failed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task RestoreAsync(MqttServer server, Func<IMqttChannelAdapter, Task> clientHandler, RestoredSession session)
    {
        var connect = new MqttConnectPacket
        {
            ClientId = session.ClientId,
            CleanSession = false,
            // The journal counts the expiry (MQTTnet would keep the first CONNECT's value for ever).
            SessionExpiryInterval = uint.MaxValue,
            Username = session.User,
        };
        var subscribe = session.Subscriptions.Count == 0 ? null : new MqttSubscribePacket
        {
            PacketIdentifier = 1,
            TopicFilters = [.. session.Subscriptions.Select(s => new MqttTopicFilter
            {
                Topic = s.Topic,
                QualityOfServiceLevel = (MqttQualityOfServiceLevel)s.Qos,
                NoLocal = s.NoLocal ?? false,
                RetainAsPublished = s.RetainAsPublished ?? false,
                // Retained messages reached the session when it first subscribed.
                RetainHandling = MqttRetainHandling.DoNotSendOnSubscribe,
            })],
        };
        using var channel = new RestoringChannel(connect, subscribe);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await clientHandler(channel).WaitAsync(timeout.Token).ConfigureAwait(false);
        if (channel.Refused is { } reason)
        {
            throw new InvalidOperationException($"the broker refused it ({reason})");
        }
        var status = await server.GetSessionAsync(session.ClientId).ConfigureAwait(false);
        foreach (var message in session.Messages)
        {
            status.TryEnqueueApplicationMessage(new MqttApplicationMessage
            {
                Topic = message.RoutingKey,
                QualityOfServiceLevel = (MqttQualityOfServiceLevel)message.Qos,
                PayloadSegment = message.Payload.ToArray(),
            }, out _);
        }
        await tracker.RestoreAsync(session).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored {Count} persistent sessions in {Milliseconds:F0} ms")]
    private partial void LogRestored(int count, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not restore the session of {ClientId}: {Problem}")]
    private partial void LogRestoreFailed(string clientId, string problem);

    /// <summary>
    /// A connection in memory that plays a client making its session: hands out CONNECT, then SUBSCRIBE
    /// (when there is anything to subscribe), then DISCONNECT once the SUBACK came.
    /// </summary>
    private sealed class RestoringChannel(MqttConnectPacket connect, MqttSubscribePacket? subscribe) : IMqttChannelAdapter
    {
        private static readonly EndPoint Nowhere = new IPEndPoint(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _step;

        /// <summary>The CONNACK's reason when the broker refused the session.</summary>
        public MqttConnectReasonCode? Refused { get; private set; }

        public long BytesReceived => 0;

        public long BytesSent => 0;

        public X509Certificate2 ClientCertificate => null!;

        public EndPoint RemoteEndPoint => Nowhere;

        public EndPoint LocalEndPoint => Nowhere;

        public bool IsSecureConnection => false;

        public MqttPacketFormatterAdapter PacketFormatterAdapter { get; } = new(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65536));

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
        {
            switch (_step++)
            {
                case 0:
                    return connect;
                case 1 when subscribe is not null:
                    return subscribe;
                case 1:
                    return new MqttDisconnectPacket { ReasonCode = MqttDisconnectReasonCode.NormalDisconnection };
                case 2:
                    await _subscribed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                    return new MqttDisconnectPacket { ReasonCode = MqttDisconnectReasonCode.NormalDisconnection };
                default:
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                    return null!;
            }
        }

        public void ResetStatistics()
        {
        }

        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
        {
            switch (packet)
            {
                case MqttConnAckPacket { ReasonCode: not MqttConnectReasonCode.Success } refused:
                    Refused = refused.ReasonCode;
                    _subscribed.TrySetResult();
                    break;
                case MqttSubAckPacket:
                    _subscribed.TrySetResult();
                    break;
            }
            return Task.CompletedTask;
        }

        public void Dispose()
        {
        }
    }
}
