using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using MQTTnet.Adapter;
using MQTTnet.AspNetCore;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using Dashboard.Core.Broker;
using Dashboard.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace Dashboard.Broker;

/// <summary>
/// Hands Kestrel's MQTT connections (TCP and WebSocket) to the broker, as MQTTnet's own
/// <c>MqttConnectionHandler</c> does, with one difference: an MQTT 3.x client that connects with an
/// empty client id and clean session gets one assigned (as mosquitto and VerneMQ do; MQTT 3.1.1
/// §3.1.3 allows it), where MQTTnet refuses it. MQTTnet's only hook for that (the assigned identifier of
/// <c>ValidatingConnectionAsync</c>) is applied for MQTT 5 alone, so the id is set on the CONNECT packet
/// as it is read. Clean session off with an empty id is still refused ("identifier rejected").
/// Connections wait until <see cref="Open"/>: the sessions saved before a restart are restored first
/// (docs/persistence.md), so a returning client finds its session. Every packet read or written is
/// offered to the <see cref="ClientTracer"/> (docs/operator-tools.md), which ignores it unless that
/// client is being traced. The end of a connection and the set-up of the next one with the same client
/// id are kept apart (<see cref="ClientIdHandover"/>).
/// </summary>
internal sealed class MqttConnections(IOptions<MqttOptions> mqtt, ClientTracer tracer) : ConnectionHandler, IMqttServerAdapter
{
    // Mqtt:Tls:UseIdentityAsUsername: a client certificate's common name replaces the CONNECT's user name.
    private readonly bool _identityAsUsername = mqtt.Value.Tls.UseIdentityAsUsername;

    /// <summary>The prefix of assigned client ids (MQTT 5's assigned identifiers use it too).</summary>
    public const string AssignedPrefix = "auto-";

    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ClientIdHandover _handover = new();
    private MqttServerOptions? _options;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public static string NewClientId() => AssignedPrefix + Guid.NewGuid().ToString("N");

    /// <summary>Lets clients in (once the broker holds every restored session).</summary>
    public void Open() => _open.TrySetResult();

    /// <summary>Whether clients are let in (the restored sessions are in place).</summary>
    public bool IsOpen => _open.Task.IsCompleted;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        try
        {
            await _open.Task.WaitAsync(connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        // The WebSocket transport passes binary frames only when asked to.
        if (connection.Features.Get<ITransferFormatFeature>() is { } format)
        {
            format.ActiveFormat = TransferFormat.Binary;
        }
        var options = _options ?? throw new InvalidOperationException("The MQTT server has not started.");
        var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        // Kestrel's TLS layer puts the checked client certificate here (MQTT over TLS only).
        var tls = connection.Features.Get<ITlsConnectionFeature>();
        using var adapter = new AssigningAdapter(new MqttConnectionContext(formatter, connection), tls is not null, tls?.ClientCertificate, _identityAsUsername, tracer, _handover);
        try
        {
            if (ClientHandler is { } handler)
            {
                await handler(adapter).ConfigureAwait(false);
            }
        }
        finally
        {
            // MQTTnet has finished with the connection, its clean-up included.
            adapter.Finished();
        }
    }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _options = options;
        return Task.CompletedTask;
    }

    public Task StopAsync() => Task.CompletedTask;

    public void Dispose()
    {
    }

    /// <summary>
    /// Passes everything through; gives an id to a nameless clean-session MQTT 3.x CONNECT, with
    /// <paramref name="identityAsUsername"/> makes a client certificate's common name the CONNECT's user
    /// name, offers packets to the tracer and takes the connection through its client id's handover.
    /// </summary>
    private sealed class AssigningAdapter(IMqttChannelAdapter inner, bool secure, X509Certificate2? certificate, bool identityAsUsername,
        ClientTracer tracer, ClientIdHandover handover) : IMqttChannelAdapter
    {
        private bool _connectSeen;
        private string? _clientId;
        // The phase of the handover this connection is counted in, if any (MQTTnet reads from one loop at a time).
        private ClientIdHandover.Phase? _phase;
        private readonly Lock _measureLock = new();
        private MqttPacketFormatterAdapter? _measuring;

        public long BytesReceived => inner.BytesReceived;

        public long BytesSent => inner.BytesSent;

        public X509Certificate2 ClientCertificate => certificate ?? inner.ClientCertificate;

        public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

        public EndPoint LocalEndPoint => inner.LocalEndPoint;

        public bool IsSecureConnection => secure || inner.IsSecureConnection;

        public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

        public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

        public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
        {
            if (_phase == ClientIdHandover.Phase.SettingUp)
            {
                // Reading again after the CONNECT: the broker has set this connection up and sent its CONNACK.
                handover.Leave(_clientId!, ClientIdHandover.Phase.SettingUp);
                _phase = null;
            }
            var before = inner.BytesReceived;
            MqttPacket packet;
            try
            {
                packet = await inner.ReceivePacketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await EndingAsync().ConfigureAwait(false);
                throw;
            }
            if (packet is null or MqttDisconnectPacket)
            {
                await EndingAsync().ConfigureAwait(false);
            }
            if (!_connectSeen && packet is MqttConnectPacket connect)
            {
                _connectSeen = true;
                if (string.IsNullOrEmpty(connect.ClientId) && connect.CleanSession
                    && inner.PacketFormatterAdapter.ProtocolVersion is MqttProtocolVersion.V310 or MqttProtocolVersion.V311)
                {
                    connect.ClientId = NewClientId();
                }
                if (identityAsUsername && certificate is not null)
                {
                    connect.Username = BrokerAuthorizer.IdentityOf(certificate);
                }
                _clientId = connect.ClientId;
                if (!string.IsNullOrEmpty(_clientId))
                {
                    // Not before the previous connection of this id has been cleaned up.
                    await handover.EnterAsync(_clientId, ClientIdHandover.Phase.SettingUp, cancellationToken).ConfigureAwait(false);
                    _phase = ClientIdHandover.Phase.SettingUp;
                }
            }
            if (packet is not null && tracer.Running > 0)
            {
                tracer.Record(_clientId, TraceDirection.In, packet, inner.BytesReceived - before);
            }
            return packet!;
        }

        // The input has ended: the broker is about to clean up after this connection. Not while another
        // connection of its id is being set up (that one takes this one over first).
        private async Task EndingAsync()
        {
            if (_phase is not null || !_connectSeen || string.IsNullOrEmpty(_clientId))
            {
                return;
            }
            // Not the read's token: a takeover cancels it, and the wait matters most then.
            await handover.EnterAsync(_clientId, ClientIdHandover.Phase.Ending, CancellationToken.None).ConfigureAwait(false);
            _phase = ClientIdHandover.Phase.Ending;
        }

        /// <summary>MQTTnet is done with this connection: it no longer holds up its client id.</summary>
        public void Finished()
        {
            if (_phase is { } phase)
            {
                handover.Leave(_clientId!, phase);
                _phase = null;
            }
        }

        public void ResetStatistics() => inner.ResetStatistics();

        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) =>
            tracer.Running == 0 ? inner.SendPacketAsync(packet, cancellationToken) : SendTracedAsync(packet, cancellationToken);

        private Task SendTracedAsync(MqttPacket packet, CancellationToken cancellationToken)
        {
            // Recorded before it goes: recorded after, the client's answer to it could be read (and
            // traced) first. Its size comes from encoding it once more on a formatter of the trace's own.
            tracer.Record(_clientId, TraceDirection.Out, packet, Measure(packet));
            return inner.SendPacketAsync(packet, cancellationToken);
        }

        private long Measure(MqttPacket packet)
        {
            lock (_measureLock)
            {
                _measuring ??= new MqttPacketFormatterAdapter(inner.PacketFormatterAdapter.ProtocolVersion, new MqttBufferWriter(4096, 65_536));
                try
                {
                    return _measuring.Encode(packet).Length;
                }
                finally
                {
                    _measuring.Cleanup();
                }
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
