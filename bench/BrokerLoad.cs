using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.Bench;

/// <summary>
/// The load of <c>brokers</c> mode, the same for every broker: MQTTnet clients, MQTT 3.1.1, clean
/// session off (persistent sessions, so brokers that persist do so), 127.0.0.1 only. Every wait is
/// bounded in time, every loop in count.
/// </summary>
internal static class BrokerLoad
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private static readonly MqttClientFactory Factory = new();

    /// <summary>The clients' socket buffer size (<c>--client-buffer</c>); 0 keeps MQTTnet's default of 8 KB.</summary>
    public static int ClientBuffer { get; set; }

    /// <summary>Deliveries sent but not yet received, at most, in a throughput test (below every broker's default queue bound).</summary>
    public const int Outstanding = 500;

    /// <summary>Deliveries counted at the subscribers, and how long until the last one.</summary>
    public sealed record Throughput(long Delivered, long Expected, TimeSpan Elapsed)
    {
        public double PerSecond => Delivered / Elapsed.TotalSeconds;
    }

    private static MqttClientOptions Options(int port, string clientId) => WithBuffer(OptionsBuilder(port, clientId).Build());

    /// <summary>Applies <see cref="ClientBuffer"/> to built options.</summary>
    private static MqttClientOptions WithBuffer(MqttClientOptions options)
    {
        if (ClientBuffer > 0 && options.ChannelOptions is MqttClientTcpOptions tcp)
        {
            tcp.BufferSize = ClientBuffer;
        }
        return options;
    }

    /// <summary>The clients' options before <c>Build()</c>, for a caller that adds to them (TLS).</summary>
    public static MqttClientOptionsBuilder OptionsBuilder(int port, string clientId) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port).WithClientId(clientId).WithProtocolVersion(MqttProtocolVersion.V311)
        .WithCleanSession(false).WithTimeout(TimeSpan.FromSeconds(30));

    /// <summary>Connects <paramref name="count"/> clients, <paramref name="concurrency"/> at a time; returns them connected.</summary>
    public static Task<(List<IMqttClient> Clients, TimeSpan Elapsed)> ConnectManyAsync(int port, string prefix, int count, int concurrency) =>
        ConnectManyAsync(clientId => Options(port, clientId), prefix, count, concurrency);

    /// <summary>As above, with the options <paramref name="options"/> makes for each client id.</summary>
    public static async Task<(List<IMqttClient> Clients, TimeSpan Elapsed)> ConnectManyAsync(
        Func<string, MqttClientOptions> options, string prefix, int count, int concurrency)
    {
        var clients = Enumerable.Range(0, count).Select(_ => Factory.CreateMqttClient()).ToList();
        using var gate = new SemaphoreSlim(concurrency);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async (client, i) =>
        {
            await gate.WaitAsync();
            try
            {
                await client.ConnectAsync(options($"{prefix}{i}"));
            }
            finally
            {
                gate.Release();
            }
        })).WaitAsync(Limit);
        return (clients, watch.Elapsed);
    }

    public static async Task DisconnectAllAsync(IEnumerable<IMqttClient> clients)
    {
        var list = clients.ToList();
        await Task.WhenAll(list.Select(async client =>
        {
            try
            {
                await client.DisconnectAsync();
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
            }
        })).WaitAsync(Limit);
        foreach (var client in list)
        {
            client.Dispose();
        }
    }

    /// <summary>Connections per second: <paramref name="count"/> persistent clients connecting, 32 at a time.</summary>
    public static async Task<double> ConnectsPerSecondAsync(int port, string prefix, int count)
    {
        var (clients, elapsed) = await ConnectManyAsync(port, prefix, count, 32);
        await DisconnectAllAsync(clients);
        return count / elapsed.TotalSeconds;
    }

    /// <summary>
    /// <paramref name="publishers"/> clients publish to one topic that <paramref name="subscribers"/>
    /// clients subscribe to, <paramref name="deliveries"/> deliveries in all. QoS 1 publishers keep up to
    /// 16 messages in flight each (awaiting each PUBACK would measure round trips, not the broker).
    /// All publishers together keep at most <see cref="Outstanding"/> deliveries sent but not yet
    /// received: MQTT 3.1.1 has no flow control from a subscriber back to a publisher, and without this a
    /// broker that acknowledges faster than its subscriber reads builds a deep queue (mosquitto then
    /// slows down to a few hundred messages a second; with default queue bounds brokers drop messages),
    /// which measures queueing instead of the sustained rate. Drops are still counted.
    /// </summary>
    public static async Task<Throughput> ThroughputAsync(int port, string tag, MqttQualityOfServiceLevel qos, int publishers, int subscribers, int deliveries)
    {
        var messages = deliveries / subscribers;
        var expected = (long)messages * subscribers;
        var topic = $"bench/{tag}";
        long delivered = 0, lastDelivery = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var outstanding = new SemaphoreSlim(Outstanding);
        var stalled = false;
        var subs = new List<IMqttClient>();
        var pubs = new List<IMqttClient>();
        try
        {
            for (var i = 0; i < subscribers; i++)
            {
                var subscriber = Factory.CreateMqttClient();
                subs.Add(subscriber);
                subscriber.ApplicationMessageReceivedAsync += _ =>
                {
                    Volatile.Write(ref lastDelivery, Stopwatch.GetTimestamp());
                    outstanding.Release();
                    if (Interlocked.Increment(ref delivered) == expected)
                    {
                        all.TrySetResult();
                    }
                    return Task.CompletedTask;
                };
                await subscriber.ConnectAsync(Options(port, $"{tag}-sub{i}"));
                await subscriber.SubscribeAsync(topic, qos);
            }
            for (var i = 0; i < publishers; i++)
            {
                var publisher = Factory.CreateMqttClient();
                pubs.Add(publisher);
                await publisher.ConnectAsync(Options(port, $"{tag}-pub{i}"));
            }
            var payload = new byte[64];
            var start = Stopwatch.GetTimestamp();
            await Task.WhenAll(pubs.Select(async (publisher, p) =>
            {
                using var window = new SemaphoreSlim(16);
                var pending = new List<Task>();
                for (var m = p; m < messages && !Volatile.Read(ref stalled); m += publishers)
                {
                    for (var s = 0; s < subscribers; s++)
                    {
                        if (!await outstanding.WaitAsync(Stall))
                        {
                            // Deliveries stopped coming (dropped): stop sending; the count says how many arrived.
                            Volatile.Write(ref stalled, true);
                            break;
                        }
                    }
                    var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build();
                    if (qos == MqttQualityOfServiceLevel.AtMostOnce)
                    {
                        await publisher.PublishAsync(message);
                        continue;
                    }
                    await window.WaitAsync();
                    pending.Add(PublishReleasingAsync(publisher, message, window));
                }
                await Task.WhenAll(pending);
            })).WaitAsync(Limit);
            await WaitForAsync(() => Interlocked.Read(ref delivered), expected, all.Task);
            var end = Volatile.Read(ref lastDelivery);
            return new Throughput(Interlocked.Read(ref delivered), expected, Stopwatch.GetElapsedTime(start, Math.Max(end, start + 1)));
        }
        finally
        {
            await DisconnectAllAsync(subs.Concat(pubs));
        }
    }

    private static async Task PublishReleasingAsync(IMqttClient publisher, MqttApplicationMessage message, SemaphoreSlim window)
    {
        try
        {
            await publisher.PublishAsync(message);
        }
        finally
        {
            window.Release();
        }
    }

    /// <summary>Until <paramref name="done"/> completes, or the count stops moving for 5 s, or 2 minutes pass.</summary>
    private static async Task WaitForAsync(Func<long> count, long expected, Task done)
    {
        var total = Stopwatch.StartNew();
        var last = -1L;
        var still = Stopwatch.StartNew();
        while (!done.IsCompleted && total.Elapsed < Limit)
        {
            var now = count();
            if (now >= expected)
            {
                return;
            }
            if (now != last)
            {
                last = now;
                still.Restart();
            }
            else if (still.Elapsed > Stall)
            {
                return;
            }
            await Task.WhenAny(done, Task.Delay(50));
        }
    }

    /// <summary>
    /// End-to-end latency, QoS 1: one publisher at a fixed rate (sends are not held back by slow
    /// acknowledgements, so a slow broker shows as latency), one subscriber; the send time is in the
    /// payload. The first second is warm-up and not counted.
    /// </summary>
    public static async Task<(double P50, double P99, int Samples, long Lost)> LatencyAsync(int port, string tag, int rate, int seconds)
    {
        var total = rate * (seconds + 1);
        var warmup = rate;
        var samples = new List<double>(total);
        long received = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = Factory.CreateMqttClient();
        var publisher = Factory.CreateMqttClient();
        try
        {
            subscriber.ApplicationMessageReceivedAsync += args =>
            {
                var now = Stopwatch.GetTimestamp();
                var payload = args.ApplicationMessage.Payload.ToArray();
                var sequence = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(8));
                var sent = BinaryPrimitives.ReadInt64LittleEndian(payload);
                lock (samples)
                {
                    if (sequence >= warmup)
                    {
                        samples.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                    }
                }
                if (Interlocked.Increment(ref received) == total)
                {
                    all.TrySetResult();
                }
                return Task.CompletedTask;
            };
            await subscriber.ConnectAsync(Options(port, $"{tag}-lsub"));
            await subscriber.SubscribeAsync($"latency/{tag}", MqttQualityOfServiceLevel.AtLeastOnce);
            await publisher.ConnectAsync(Options(port, $"{tag}-lpub"));
            var pending = new List<Task>(total);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < total; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / rate);
                while (clock.Elapsed < due)
                {
                    await Task.Delay(1);
                }
                var payload = new byte[64];
                BinaryPrimitives.WriteInt64LittleEndian(payload, Stopwatch.GetTimestamp());
                BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(8), i);
                pending.Add(publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"latency/{tag}").WithPayload(payload)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
            }
            await Task.WhenAll(pending).WaitAsync(Limit);
            await WaitForAsync(() => Interlocked.Read(ref received), total, all.Task);
            double[] sorted;
            lock (samples)
            {
                sorted = [.. samples.Order()];
            }
            return (Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted.Length, total - Interlocked.Read(ref received));
        }
        finally
        {
            await DisconnectAllAsync([subscriber, publisher]);
        }
    }

    private static double Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];

    /// <summary>
    /// Resident memory of the broker's process per idle connection: RSS (median of 3 reads) before and
    /// after <paramref name="count"/> persistent clients connect and sit idle for 3 s.
    /// </summary>
    public static async Task<double> BytesPerIdleConnectionAsync(BrokerProcess broker, string tag, int count)
    {
        var before = await SettledRssAsync(broker);
        var (clients, _) = await ConnectManyAsync(broker.Port, $"{tag}-idle", count, 32);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            var after = await SettledRssAsync(broker);
            return (double)(after - before) / count;
        }
        finally
        {
            await DisconnectAllAsync(clients);
        }
    }

    private static async Task<long> SettledRssAsync(BrokerProcess broker)
    {
        var reads = new long[3];
        for (var i = 0; i < reads.Length; i++)
        {
            await Task.Delay(500);
            reads[i] = broker.Rss();
        }
        Array.Sort(reads);
        return reads[1];
    }
}
