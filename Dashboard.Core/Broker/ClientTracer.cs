using System.Threading.Channels;
using Dashboard.Core.Query;
using MQTTnet.Packets;

namespace Dashboard.Core.Broker;

/// <summary>Why a trace ended.</summary>
public enum TraceEnd
{
    /// <summary>Still running.</summary>
    Running,
    /// <summary>Someone stopped it.</summary>
    Stopped,
    /// <summary>It reached its packet limit.</summary>
    PacketLimit,
    /// <summary>It reached its time limit.</summary>
    TimeLimit,
}

/// <summary>The limits of live traces (docs/operator-tools.md).</summary>
/// <param name="MaxPackets">Packets after which a trace stops.</param>
/// <param name="MaxDuration">Time after which a trace stops.</param>
/// <param name="MaxConcurrent">Traces that may run at once on the node.</param>
public sealed record TraceLimits(int MaxPackets = 1000, TimeSpan? MaxDuration = null, int MaxConcurrent = 3)
{
    /// <summary>The time limit: 10 minutes unless configured.</summary>
    public TimeSpan Duration => MaxDuration ?? TimeSpan.FromMinutes(10);
}

/// <summary>
/// Live traces of single clients' MQTT packets (docs/operator-tools.md). The broker's connections call
/// <see cref="Record"/> for every packet; with no trace running that is one read of an empty array, so
/// the broker pays nothing measurable. Bounded three ways: packets, time, and traces at once.
/// Thread-safe.
/// </summary>
public sealed class ClientTracer(TraceLimits limits, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private volatile ClientTrace[] _traces = [];

    /// <summary>The limits every trace runs under.</summary>
    public TraceLimits Limits { get; } = limits;

    /// <summary>How many traces run now.</summary>
    public int Running => _traces.Length;

    /// <summary>Starts tracing a client, or says why not (too many traces already).</summary>
    public Result<ClientTrace> Start(string clientId, bool withPayloads)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        lock (_lock)
        {
            if (_traces.Length >= Limits.MaxConcurrent)
            {
                return Result<ClientTrace>.Fail(
                    $"{_traces.Length} traces are running on this node, the most allowed at once; stop one or wait for it to end.");
            }
            var trace = new ClientTrace(this, clientId, withPayloads, _time);
            _traces = [.. _traces, trace];
            return Result<ClientTrace>.Ok(trace);
        }
    }

    /// <summary>Offers a packet the broker read (<see cref="TraceDirection.In"/>) or wrote for a client.</summary>
    public void Record(string? clientId, TraceDirection direction, MqttPacket packet, long size)
    {
        var traces = _traces;
        if (traces.Length == 0 || clientId is null)
        {
            return;
        }
        foreach (var trace in traces)
        {
            if (string.Equals(trace.ClientId, clientId, StringComparison.Ordinal))
            {
                trace.Add(direction, packet, size);
            }
        }
    }

    internal void Remove(ClientTrace trace)
    {
        lock (_lock)
        {
            _traces = [.. _traces.Where(t => t != trace)];
        }
    }
}

/// <summary>One running (or ended) trace: read its packets from <see cref="Packets"/>.</summary>
public sealed class ClientTrace : IDisposable
{
    private readonly ClientTracer _tracer;
    private readonly TimeProvider _time;
    private readonly Channel<TracedPacket> _packets;
    private readonly ITimer _deadline;
    private int _count;
    private int _end;

    internal ClientTrace(ClientTracer tracer, string clientId, bool withPayloads, TimeProvider time)
    {
        _tracer = tracer;
        _time = time;
        ClientId = clientId;
        WithPayloads = withPayloads;
        StartedAt = time.GetUtcNow();
        EndsAt = StartedAt + tracer.Limits.Duration;
        // Never more than the packet limit, so the channel cannot grow past it even with no reader.
        _packets = Channel.CreateBounded<TracedPacket>(new BoundedChannelOptions(tracer.Limits.MaxPackets) { SingleReader = true });
        _deadline = time.CreateTimer(_ => Stop(TraceEnd.TimeLimit), null, tracer.Limits.Duration, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The traced client id.</summary>
    public string ClientId { get; }

    /// <summary>Whether payloads are shown.</summary>
    public bool WithPayloads { get; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>When the time limit ends it.</summary>
    public DateTimeOffset EndsAt { get; }

    /// <summary>Packets recorded so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Why it ended, or <see cref="TraceEnd.Running"/>.</summary>
    public TraceEnd End => (TraceEnd)Volatile.Read(ref _end);

    /// <summary>The packets in order; completes when the trace ends.</summary>
    public ChannelReader<TracedPacket> Packets => _packets.Reader;

    internal void Add(TraceDirection direction, MqttPacket packet, long size)
    {
        if (End != TraceEnd.Running)
        {
            return;
        }
        var number = Interlocked.Increment(ref _count);
        if (number > _tracer.Limits.MaxPackets)
        {
            Interlocked.Decrement(ref _count);
            return;
        }
        _packets.Writer.TryWrite(PacketDescription.Describe(packet, direction, size, _time.GetUtcNow(), WithPayloads));
        if (number == _tracer.Limits.MaxPackets)
        {
            Stop(TraceEnd.PacketLimit);
        }
    }

    /// <summary>Ends the trace (no more packets); the reader still gets those recorded.</summary>
    public void Stop(TraceEnd reason = TraceEnd.Stopped)
    {
        if (reason == TraceEnd.Running || Interlocked.CompareExchange(ref _end, (int)reason, (int)TraceEnd.Running) != (int)TraceEnd.Running)
        {
            return;
        }
        _deadline.Dispose();
        _tracer.Remove(this);
        _packets.Writer.TryComplete();
    }

    /// <inheritdoc />
    public void Dispose() => Stop();
}
