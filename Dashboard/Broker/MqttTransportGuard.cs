using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using MQTTnet.Exceptions;

namespace Dashboard.Broker;

/// <summary>
/// Puts a guard on the input of every MQTT connection (TCP and WebSocket) before MQTTnet's ASP.NET Core
/// adapter reads it. That adapter (5.2) loops for ever, one core per connection, when a client closes its
/// side while an incomplete packet is still buffered: the finished input keeps answering at once with
/// the same bytes, and the adapter neither decodes them nor notices the end. The guard ends such a
/// connection instead. See docs/reliability.md, "A truncated packet". The output gets a
/// <see cref="DrainingOutput"/>, so a DISCONNECT written last is not lost.
/// </summary>
internal static class MqttTransportGuard
{
    public static IConnectionBuilder UseMqttTransportGuard(this IConnectionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var time = builder.ApplicationServices.GetService<TimeProvider>() ?? TimeProvider.System;
        return builder.Use(next => connection =>
        {
            connection.Transport = new GuardedDuplexPipe(connection.Transport, connection, time);
            return next(connection);
        });
    }

    private sealed class GuardedDuplexPipe(IDuplexPipe inner, ConnectionContext connection, TimeProvider time) : IDuplexPipe
    {
        public PipeReader Input { get; } = new CompletedInputGuard(inner.Input);

        // What MQTTnet writes last (a DISCONNECT with its reason) leaves even when it ends its read with
        // an error right after: see DrainingOutput.
        public PipeWriter Output { get; } = new DrainingOutput(inner.Output, connection, time);
    }
}

/// <summary>
/// A reader that fails, rather than repeats itself, once its input has ended and the reader made no
/// progress on what is left: after the writer completed, a second read that finds exactly as many bytes
/// as the first one means the caller consumed nothing, and nothing more can ever arrive.
/// </summary>
internal sealed class CompletedInputGuard(PipeReader inner) : PipeReader
{
    public const string TruncatedMessage = "The client closed the connection in the middle of an MQTT packet.";

    // Length of the buffer handed out by the last read that saw the end of the input; -1 before that.
    private long _lengthAtEnd = -1;

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        Check(await inner.ReadAsync(cancellationToken).ConfigureAwait(false));

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }
        result = Check(result);
        return true;
    }

    private ReadResult Check(ReadResult result)
    {
        if (result.IsCompleted && !result.Buffer.IsEmpty)
        {
            if (result.Buffer.Length == _lengthAtEnd)
            {
                // Release the bytes so that completing the reader afterwards is legal and frees them.
                inner.AdvanceTo(result.Buffer.End);
                throw new MqttCommunicationException(TruncatedMessage);
            }
            _lengthAtEnd = result.Buffer.Length;
        }
        return result;
    }

    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
}
