using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Dashboard.Broker;

/// <summary>
/// The output of an MQTT connection, with one change: when MQTTnet completes it with an error, it is
/// completed normally instead, so the bytes already written (a DISCONNECT with its reason) are still sent.
/// Once the output is complete, however it ended, the connection is aborted if it is still open after
/// <see cref="DrainTime"/>, so a client that stops reading cannot hold it open by leaving the last bytes
/// unread. See docs/broker.md, "Disconnect and reauthorize".
/// </summary>
/// <remarks>
/// MQTTnet's ASP.NET Core adapter (5.2) completes both pipes with the error that ended its read, and the
/// server ends that read (by cancelling it) right after writing a DISCONNECT. A pipe completed with an
/// error hands its reader the error instead of the data still in it, so when the transport had not yet
/// taken the DISCONNECT off the pipe, the client never got it and saw a plain close instead of reason 0x98.
/// </remarks>
internal sealed class DrainingOutput(PipeWriter inner, ConnectionContext connection, TimeProvider time) : PipeWriter
{
    /// <summary>How long what is left of the output may take to leave before the connection is aborted.</summary>
    public static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(5);

    private int _completed;

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    public override void Advance(int bytes) => inner.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(source, cancellationToken);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }
        inner.Complete();
        AbortIfStillOpenAfterDrainTime();
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Complete(exception);
        return ValueTask.CompletedTask;
    }

    private void AbortIfStillOpenAfterDrainTime()
    {
        var closed = connection.ConnectionClosed;
        if (closed.IsCancellationRequested)
        {
            return;
        }
        var timer = time.CreateTimer(_ =>
        {
            if (!closed.IsCancellationRequested)
            {
                connection.Abort(new ConnectionAbortedException("The client did not take the connection's last bytes in time."));
            }
        }, null, DrainTime, Timeout.InfiniteTimeSpan);
        try
        {
            closed.Register(static state => ((ITimer)state!).Dispose(), timer);
        }
        catch (ObjectDisposedException)
        {
            // The connection is already gone: nothing to abort.
            timer.Dispose();
        }
    }
}
