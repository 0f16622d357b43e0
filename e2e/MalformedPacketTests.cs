using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>The app as its own process with a short connect timeout, so connections left open end soon.</summary>
public sealed class MalformedPacketApp : AppProcess
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    public const string ApiKey = "e2e-malformed-mgmt-key-0123456789";

    protected override IEnumerable<string> ExtraArguments =>
        [$"--Broker:ConnectTimeout={ConnectTimeout}", "--Mqtt:AllowedOrigins=http://allowed.example", "--Api:Keys:0:Key=" + ApiKey, "--Api:Keys:0:Scope=mgmt"];
}

/// <summary>
/// Garbage, truncated and half-sent MQTT packets from many connections, over TCP and over WebSocket,
/// against the real app process (docs/reliability.md, "A truncated packet"). Before the input guard a
/// single <c>10 10 00</c> followed by a close kept a core busy for ever; a thousand of them stopped the
/// whole app. Afterwards the process must be idle, answer HTTP and accept a normal client.
/// </summary>
public sealed class MalformedPacketTests(MalformedPacketApp app) : IClassFixture<MalformedPacketApp>
{
    private const int Connections = 1_000;
    private const int LeftOpen = 50;
    private const int Parallel = 32;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // Bounded: a regression would otherwise leave the whole run waiting on an app that no longer answers.
    [Fact(Timeout = 180_000)]
    public async Task Tcp_ThousandMalformedConnections_AppIdleAnswersAndAcceptsAClient()
    {
        var random = new Random(1883);
        var payloads = Enumerable.Range(0, Connections).Select(i => MalformedPayload(i, random)).ToArray();

        await ForEachAsync(payloads, async (payload, _) =>
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", app.MqttPort, Cancel);
            await SendIgnoringResetAsync(socket, payload.Bytes);
            if (payload.Reset)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        });

        // Half-sent packets on connections the client keeps open: the server must close them itself.
        var open = new List<Socket>();
        try
        {
            for (var i = 0; i < LeftOpen; i++)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                open.Add(socket);
                await socket.ConnectAsync("127.0.0.1", app.MqttPort, Cancel);
                await socket.SendAsync(i % 2 == 0 ? "\x10\x10\x00"u8.ToArray() : Connect311("left-open-" + i)[..7], Cancel);
            }
            foreach (var socket in open)
            {
                Assert.True(await ClosedByServerAsync(socket, MalformedPacketApp.ConnectTimeout + TimeSpan.FromSeconds(20)),
                    "a connection with a half-sent packet was still open well past Broker:ConnectTimeout");
            }
        }
        finally
        {
            open.ForEach(socket => socket.Dispose());
        }

        await AssertAppHealthyAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", app.MqttPort));
    }

    [Fact(Timeout = 180_000)]
    public async Task WebSocket_ThousandMalformedConnections_AppIdleAnswersAndAcceptsAClient()
    {
        var random = new Random(8888);
        var payloads = Enumerable.Range(0, Connections).Select(i => MalformedPayload(i, random)).ToArray();
        var uri = new Uri($"ws://127.0.0.1:{app.HttpPort}/mqtt");

        await ForEachAsync(payloads, async (payload, index) =>
        {
            using var socket = new ClientWebSocket();
            socket.Options.AddSubProtocol("mqtt");
            await socket.ConnectAsync(uri, Cancel);
            try
            {
                // Some in one frame, some split over two, as a client may send them.
                var split = index % 3 == 0 ? payload.Bytes.Length / 2 : payload.Bytes.Length;
                await socket.SendAsync(payload.Bytes.AsMemory(0, split), WebSocketMessageType.Binary, true, Cancel);
                if (split < payload.Bytes.Length)
                {
                    await socket.SendAsync(payload.Bytes.AsMemory(split), WebSocketMessageType.Binary, true, Cancel);
                }
                if (payload.Reset)
                {
                    socket.Abort();
                }
                else
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, Cancel);
                }
            }
            catch (WebSocketException)
            {
                // The server may already have closed a connection whose bytes it refused.
            }
        });

        // Half-sent packets on WebSockets the client keeps open.
        var open = new List<ClientWebSocket>();
        try
        {
            for (var i = 0; i < LeftOpen; i++)
            {
                var socket = new ClientWebSocket();
                open.Add(socket);
                socket.Options.AddSubProtocol("mqtt");
                await socket.ConnectAsync(uri, Cancel);
                await socket.SendAsync("\x10\x10\x00"u8.ToArray(), WebSocketMessageType.Binary, true, Cancel);
            }
            foreach (var socket in open)
            {
                Assert.True(await WebSocketClosedByServerAsync(socket, MalformedPacketApp.ConnectTimeout + TimeSpan.FromSeconds(20)),
                    "a WebSocket with a half-sent packet was still open well past Broker:ConnectTimeout");
            }
        }
        finally
        {
            open.ForEach(socket => socket.Dispose());
        }

        await AssertAppHealthyAsync(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri(uri.ToString())));
    }

    /// <summary>
    /// The packet fuzzer: 2,000 connections each start a real session (MQTT 3.1.1 or 5, a valid CONNECT)
    /// and then send valid SUBSCRIBE, PUBLISH, UNSUBSCRIBE and PINGREQ packets of which one, chosen at
    /// random, is mutated (bytes flipped, inserted or dropped, its length changed, or cut). Whatever the
    /// broker makes of each, afterwards it must be idle and serve, and once every connection is closed the
    /// dashboard must show none of these clients online (its store agrees with the broker).
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task Tcp_TwoThousandSessionsWithMutatedPackets_AppHealthy_NoClientLeftOnline()
    {
        var random = new Random(5883);
        var scope = "fuzz-" + Guid.NewGuid().ToString("N")[..6];
        var sessions = Enumerable.Range(0, 2_000).Select(i => FuzzedSession(scope + "-" + i, random)).ToArray();

        var accepted = 0;
        await ForEachAsync(sessions.Select(bytes => new Payload(bytes, false)).ToArray(), async (payload, index) =>
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", app.MqttPort, Cancel);
            await SendIgnoringResetAsync(socket, payload.Bytes);
            // The broker's first answer: a CONNACK accepting the session (the CONNECT is never the mutated one).
            var answer = new byte[4];
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(Cancel))
            {
                // Generous: on a loaded 2-core machine some of 2,000 CONNACKs took over 5 s (1,883 arrived in time).
                wait.CancelAfter(TimeSpan.FromSeconds(15));
                try
                {
                    if (await socket.ReceiveAsync(answer, wait.Token) == 4 && answer[0] == 0x20 && answer[3] == 0x00)
                    {
                        Interlocked.Increment(ref accepted);
                    }
                }
                catch (Exception exception) when (exception is SocketException or OperationCanceledException)
                {
                }
            }
            // Read what else it answers for a moment, as a client would, then leave (some abruptly).
            await ClosedByServerAsync(socket, TimeSpan.FromMilliseconds(50));
            if (index % 3 == 0)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        });
        // This checks that the fuzzer reaches the session, not the broker's speed: at load 20 on 2 cores
        // 1,894 CONNACKs came within 15 s, so 90% is the bar.
        Assert.True(accepted >= 1_800, $"only {accepted} of 2,000 fuzzed sessions were accepted: the fuzzer is not reaching the session");

        await AssertAppHealthyAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", app.MqttPort));
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        http.DefaultRequestHeaders.Add("x-api-key", MalformedPacketApp.ApiKey);
        var query = "/api/v1/session/show?--client_id&--is_online=true&--client_id=~" + Uri.EscapeDataString("^" + scope + "-");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string online;
        while ((online = await http.GetStringAsync(query, Cancel)) != """{"table":[],"type":"table"}""")
        {
            Assert.True(DateTime.UtcNow < deadline, "fuzzed clients still shown online 30 s after every connection closed: " + online[..Math.Min(300, online.Length)]);
            await Task.Delay(200, Cancel);
        }
    }

    /// <summary>A valid CONNECT, then a few valid packets, one of them mutated.</summary>
    private static byte[] FuzzedSession(string clientId, Random random)
    {
        var mqtt5 = random.Next(2) == 0;
        var packets = new List<byte[]> { mqtt5 ? Connect5(clientId) : Connect311(clientId) };
        var topic = Encoding.UTF8.GetBytes(clientId + "/t");
        var properties = mqtt5 ? new byte[] { 0x00 } : [];
        for (var i = random.Next(2, 6); i > 0; i--)
        {
            packets.Add(random.Next(4) switch
            {
                0 => Packet(0x82, [0x00, 0x01, .. properties, (byte)(topic.Length >> 8), (byte)topic.Length, .. topic, (byte)random.Next(3)]),
                1 => Packet(0x32, [(byte)(topic.Length >> 8), (byte)topic.Length, .. topic, 0x00, 0x02, .. properties, .. RandomBytes(random, random.Next(0, 40))]),
                2 => Packet(0xA2, [0x00, 0x03, .. properties, (byte)(topic.Length >> 8), (byte)topic.Length, .. topic]),
                _ => [0xC0, 0x00],
            });
        }
        var victim = random.Next(1, packets.Count);
        var packet = packets[victim].ToList();
        switch (random.Next(5))
        {
            case 0:
                packet[random.Next(packet.Count)] = (byte)random.Next(256);
                break;
            case 1:
                packet.Insert(random.Next(packet.Count + 1), (byte)random.Next(256));
                break;
            case 2:
                packet.RemoveAt(random.Next(packet.Count));
                break;
            case 3:
                packet[1] = (byte)random.Next(256);
                break;
            default:
                packet = packet[..random.Next(1, packet.Count)];
                break;
        }
        packets[victim] = [.. packet];
        return [.. packets.SelectMany(p => p)];
    }

    private static byte[] Packet(byte header, byte[] body) => [header, (byte)body.Length, .. body];

    /// <summary>An MQTT 5 CONNECT with clean start, a 60 s keep-alive and no properties.</summary>
    private static byte[] Connect5(string clientId)
    {
        var id = Encoding.UTF8.GetBytes(clientId);
        byte[] variable = [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, 0x02, 0x00, 0x3C, 0x00, (byte)(id.Length >> 8), (byte)id.Length, .. id];
        return [0x10, (byte)variable.Length, .. variable];
    }

    [Theory(Timeout = 30_000)]
    [InlineData("http://evil.example", false)]
    [InlineData("http://allowed.example", true)]
    [InlineData(null, true)]
    public async Task WebSocket_Origin_OnlySameOrAllowedOriginsOrNone(string? origin, bool accepted)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        var uri = new Uri($"ws://127.0.0.1:{app.HttpPort}/mqtt");
        if (accepted)
        {
            await socket.ConnectAsync(uri, Cancel);
            Assert.Equal(WebSocketState.Open, socket.State);
        }
        else
        {
            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, Cancel));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task WebSocket_SameOrigin_Accepted()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        socket.Options.SetRequestHeader("Origin", $"http://127.0.0.1:{app.HttpPort}");
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{app.HttpPort}/mqtt"), Cancel);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    private async Task AssertAppHealthyAsync(MqttClientOptionsBuilder normalClient)
    {
        // Idle: some one-second window within 15 s uses under a fifth of one core. A spinning
        // connection costs a whole core for as long as the process lives.
        using var process = Process.GetProcessById(app.ProcessId);
        var busiest = new List<double>();
        var idle = false;
        for (var second = 0; second < 15 && !idle; second++)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
            process.Refresh();
            var cores = (process.TotalProcessorTime - before).TotalSeconds / clock.Elapsed.TotalSeconds;
            busiest.Add(cores);
            idle = cores < 0.2;
        }
        Assert.True(idle, $"the app stayed busy after the malformed connections: {string.Join(", ", busiest.Select(c => c.ToString("0.00")))} cores per second");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var clock2 = Stopwatch.StartNew();
        var login = await http.GetAsync($"{app.BaseUrl}/login", Cancel);
        clock2.Stop();
        Assert.True(login.IsSuccessStatusCode, $"/login answered {(int)login.StatusCode}");
        Assert.True(clock2.Elapsed < TimeSpan.FromSeconds(1), $"/login took {clock2.ElapsedMilliseconds} ms");

        using var client = new MqttClientFactory().CreateMqttClient();
        var id = "after-garbage-" + Guid.NewGuid().ToString("N")[..8];
        var connected = await client.ConnectAsync(normalClient.WithClientId(id).WithProtocolVersion(MqttProtocolVersion.V311).Build(), Cancel);
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await client.SubscribeAsync(id + "/echo", cancellationToken: Cancel);
        await client.PublishStringAsync(id + "/echo", "still here", cancellationToken: Cancel);
        Assert.Equal("still here", await received.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel));
        await client.DisconnectAsync(cancellationToken: Cancel);
    }

    private sealed record Payload(byte[] Bytes, bool Reset);

    /// <summary>One of the malformed inputs of docs/reliability.md, picked by index, varied by the seeded random.</summary>
    private static Payload MalformedPayload(int index, Random random)
    {
        var connect = Connect311("garbage-" + index);
        var bytes = (index % 8) switch
        {
            // Random bytes.
            0 => RandomBytes(random, random.Next(1, 200)),
            // A CONNECT cut short.
            1 => connect[..random.Next(1, connect.Length)],
            // A remaining length of 268 MB, then a little of it.
            2 => [0x10, 0xFF, 0xFF, 0xFF, 0x7F, .. RandomBytes(random, random.Next(0, 100))],
            // The reported case: CONNECT announcing 16 bytes, one sent.
            3 => [0x10, 0x10, 0x00],
            // A remaining length that never ends (five continuation bytes).
            4 => [0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00],
            // A valid CONNECT, then a PUBLISH cut short after the session began.
            5 => [.. connect, 0x30, 0x20, 0x00, 0x05, (byte)'a', (byte)'/', (byte)'b'],
            // A valid CONNECT with a few bytes flipped.
            6 => Mutate(connect, random),
            // A valid CONNECT and SUBSCRIBE, then garbage.
            _ => [.. connect, 0x82, 0x08, 0x00, 0x01, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'#', 0x01, .. RandomBytes(random, 5)],
        };
        return new Payload(bytes, Reset: index % 5 == 0);
    }

    /// <summary>An MQTT 3.1.1 CONNECT with clean session and a 60 s keep-alive, written out by hand.</summary>
    private static byte[] Connect311(string clientId)
    {
        var id = Encoding.UTF8.GetBytes(clientId);
        byte[] variable = [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, (byte)(id.Length >> 8), (byte)id.Length, .. id];
        return [0x10, (byte)variable.Length, .. variable];
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        var copy = bytes.ToArray();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }
        return copy;
    }

    private static async Task SendIgnoringResetAsync(Socket socket, byte[] bytes)
    {
        try
        {
            await socket.SendAsync(bytes, Cancel);
        }
        catch (SocketException)
        {
            // The server may refuse what it read first and close before the rest arrives.
        }
    }

    private static async Task<bool> ClosedByServerAsync(Socket socket, TimeSpan within)
    {
        var buffer = new byte[256];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(within);
        try
        {
            while (await socket.ReceiveAsync(buffer, timeout.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<bool> WebSocketClosedByServerAsync(ClientWebSocket socket, TimeSpan within)
    {
        var buffer = new byte[256];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(within);
        try
        {
            while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
            return true;
        }
        catch (WebSocketException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task ForEachAsync(Payload[] payloads, Func<Payload, int, Task> send)
    {
        var indexes = Enumerable.Range(0, payloads.Length);
        await System.Threading.Tasks.Parallel.ForEachAsync(indexes,
            new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = Cancel },
            async (index, _) => await send(payloads[index], index));
    }
}
