using System.Buffers;
using System.IO.Pipelines;
using Dashboard.Broker;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Time.Testing;
using MQTTnet.AspNetCore;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Dashboard.Tests.Hosting;

/// <summary>
/// A DISCONNECT that MQTTnet writes right before it ends its read reaches the client (docs/broker.md,
/// "Disconnect and reauthorize"), and a client that never reads cannot hold the connection open.
/// </summary>
public sealed class DrainingOutputTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadEndedRightAfterADisconnect_TheTransportStillGetsTheDisconnect()
    {
        // MQTTnet's own ASP.NET Core adapter on an in-memory connection; nothing takes the output off
        // the pipe until the read has ended, the order that lost the DISCONNECT on a busy machine.
        var (connection, fromServer) = Connection(new FakeTimeProvider());
        var context = new MqttConnectionContext(new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65_536)), connection);
        await context.ConnectAsync(Cancel);
        using var reading = new CancellationTokenSource();
        var receive = context.ReceivePacketAsync(reading.Token);

        await context.SendPacketAsync(new MqttDisconnectPacket { ReasonCode = MqttDisconnectReasonCode.AdministrativeAction }, Cancel);
        await reading.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive);

        var sent = await fromServer.ReadAsync(Cancel);
        // MQTT 5 §3.14: DISCONNECT is packet type 14 (0xE0); after the remaining length, the reason code,
        // 0x98 for an administrative action.
        var bytes = sent.Buffer.ToArray();
        Assert.True(bytes.Length >= 3, $"{bytes.Length} bytes sent");
        Assert.Equal(0xE0, bytes[0]);
        Assert.Equal(0x98, bytes[2]);
        Assert.True(sent.IsCompleted);
    }

    [Fact]
    public void OutputCompleted_ConnectionStillOpenAfterTheDrainTime_IsAborted()
    {
        var time = new FakeTimeProvider();
        var (connection, _) = Connection(time);

        connection.Transport.Output.Complete(new OperationCanceledException());
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(connection.Aborted);
        time.Advance(TimeSpan.FromSeconds(0.2));

        Assert.True(connection.Aborted);
    }

    [Fact]
    public void OutputCompleted_ConnectionClosesWithinTheDrainTime_IsNotAborted()
    {
        var time = new FakeTimeProvider();
        var (connection, _) = Connection(time);

        connection.Transport.Output.Complete();
        connection.Close();
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.False(connection.Aborted);
    }

    /// <summary>A connection whose output goes through <see cref="DrainingOutput"/>, as the app's transport guard sets it.</summary>
    private static (TestConnection Connection, PipeReader FromServer) Connection(TimeProvider time)
    {
        var toServer = new Pipe();
        var fromServer = new Pipe();
        var connection = new TestConnection(new DuplexPipe(toServer.Reader, fromServer.Writer));
        connection.Transport = new DuplexPipe(toServer.Reader, new DrainingOutput(fromServer.Writer, connection, time));
        return (connection, fromServer.Reader);
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private sealed class TestConnection(IDuplexPipe transport) : ConnectionContext
    {
        private readonly CancellationTokenSource _closed = new();

        public bool Aborted { get; private set; }

        public override string ConnectionId { get; set; } = "test";

        public override Microsoft.AspNetCore.Http.Features.IFeatureCollection Features { get; } = new Microsoft.AspNetCore.Http.Features.FeatureCollection();

        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public override IDuplexPipe Transport { get; set; } = transport;

        public override CancellationToken ConnectionClosed
        {
            get => _closed.Token;
            set => throw new NotSupportedException();
        }

        public override void Abort(ConnectionAbortedException abortReason)
        {
            Aborted = true;
            _closed.Cancel();
        }

        public void Close() => _closed.Cancel();
    }
}
