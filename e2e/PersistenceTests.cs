using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.E2E;

/// <summary>The dashboard as a process with an API key and room for long offline queues.</summary>
public sealed class PersistentBrokerApp : AppProcess
{
    public const string ApiKey = "e2e-persistence-mgmt-key-0123456789";

    protected override IEnumerable<string> ExtraArguments =>
        ["--Api:Keys:0:Key=" + ApiKey, "--Api:Keys:0:Scope=mgmt", "--Broker:MaxQueuedMessages=100000"];

    /// <summary>Kills the app with SIGKILL (no graceful shutdown) and starts it again on the same data.</summary>
    public async Task KillAndRestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async Task<List<JsonElement>> SessionShowAsync(string query)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        http.DefaultRequestHeaders.Add("x-api-key", ApiKey);
        var answer = await http.GetFromJsonAsync<JsonElement>("/api/v1/session/show?" + query);
        return [.. answer.GetProperty("table").EnumerateArray()];
    }

    public async Task<string> ApiAsync(string pathAndQuery)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        http.DefaultRequestHeaders.Add("x-api-key", ApiKey);
        using var answer = await http.GetAsync(pathAndQuery);
        return $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}";
    }
}

/// <summary>
/// The embedded broker's persistent sessions, their subscriptions, queued QoS 1/2 messages
/// and retained messages survive the app being killed with SIGKILL (docs/persistence.md). Real app
/// process, real MQTTnet and mosquitto clients; every expected value is written here or comes from the
/// clients themselves (what they were acknowledged, what they received).
/// </summary>
public sealed class PersistenceTests : IAsyncLifetime
{
    private readonly PersistentBrokerApp _app = new();
    private readonly List<IMqttClient> _clients = [];
    private readonly string _scope = "persist-" + Guid.NewGuid().ToString("N")[..8];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _app.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        await _app.DisposeAsync();
    }

    [Fact(Timeout = 180_000)]
    public async Task KilledMidTraffic_EveryAcknowledgedMessageReachesBothSubscribersAfterTheRestart()
    {
        var topic = _scope + "/load";
        // One subscriber offline all along (its whole queue is on disk), one online and acknowledging.
        var offline = await ConnectAsync(_scope + "-off", MqttProtocolVersion.V311, expiry: null);
        await offline.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await offline.DisconnectAsync(cancellationToken: Cancel);
        var onlineReceived = new ConcurrentBag<int>();
        var online = await ConnectAsync(_scope + "-on", MqttProtocolVersion.V500, expiry: 3600, received: onlineReceived);
        await online.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, Cancel);

        // Three publishers: one with a message at a time (its order is known), two with up to 64 in
        // flight (numbers from 1,000,000 and 2,000,000). The app is killed once 400 were acknowledged.
        var ordered = await ConnectAsync(_scope + "-pub1", MqttProtocolVersion.V311, expiry: null, clean: true);
        var busy = await ConnectAsync(_scope + "-pub2", MqttProtocolVersion.V500, expiry: null, clean: true);
        var busier = await ConnectAsync(_scope + "-pub3", MqttProtocolVersion.V311, expiry: null, clean: true);
        var acknowledged = new ConcurrentBag<int>();
        using var stop = new CancellationTokenSource();
        var publishing = Task.WhenAll(
            PublishAsync(ordered, topic, 0, 1, acknowledged, stop.Token),
            PublishAsync(busy, topic, 1_000_000, 64, acknowledged, stop.Token),
            PublishAsync(busier, topic, 2_000_000, 64, acknowledged, stop.Token));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (acknowledged.Count < 400)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {acknowledged.Count} messages acknowledged in 60 s");
            await Task.Delay(10, Cancel);
        }
        await _app.StopAsync();
        await stop.CancelAsync();
        await publishing;
        var acked = acknowledged.ToHashSet();
        Assert.True(acked.Count >= 400);
        Assert.Contains(acked, n => n < 1_000_000);
        await _app.StartAsync();

        // The offline subscriber gets every acknowledged message, once each, each publisher's in its order.
        var afterRestart = new ConcurrentQueue<int>();
        await ConnectAsync(_scope + "-off", MqttProtocolVersion.V311, expiry: null, received: afterRestart, expectSessionPresent: true);
        await WaitQuietAsync(() => afterRestart.Count);
        var got = afterRestart.ToList();
        Assert.Empty(acked.Except(got));
        Assert.Equal(got.Count, got.Distinct().Count());
        var first = got.Where(n => n < 1_000_000).ToList();
        Assert.Equal(first.Order(), first);

        // The online one had some before the kill; those it had not acknowledged come after the restart.
        await ConnectAsync(_scope + "-on", MqttProtocolVersion.V500, expiry: 3600, received: onlineReceived, expectSessionPresent: true);
        await WaitQuietAsync(() => onlineReceived.Count);
        Assert.Empty(acked.Except(onlineReceived));
    }

    [Fact(Timeout = 180_000)]
    public async Task Restart_SessionsListedOfflineAsBefore_QueueGrowsWhileOffline_ClientsResumeWithEveryMessage()
    {
        var v3 = _scope + "-v3";
        var v5 = _scope + "-v5";
        var mosquitto = _scope + "-mosq";
        var client3 = await ConnectAsync(v3, MqttProtocolVersion.V311, expiry: null);
        await client3.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(_scope + "/a/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(_scope + "/b", MqttQualityOfServiceLevel.ExactlyOnce).Build(), Cancel);
        await client3.DisconnectAsync(cancellationToken: Cancel);
        var client5 = await ConnectAsync(v5, MqttProtocolVersion.V500, expiry: 3600);
        await client5.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f
            .WithTopic(_scope + "/a/#").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithNoLocal().WithRetainAsPublished()).Build(), Cancel);
        await client5.DisconnectAsync(cancellationToken: Cancel);
        // Debian's mosquitto_sub with clean session off (-c): subscribes, then leaves (-E).
        var (code, output) = await RunAsync("/usr/bin/mosquitto_sub", ["-p", $"{_app.MqttPort}", "-c", "-i", mosquitto, "-q", "1", "-t", _scope + "/a/#", "-E"]);
        Assert.True(code == 0, output);

        for (var i = 0; i < 3; i++)
        {
            (code, output) = await RunAsync("/usr/bin/mosquitto_pub", ["-p", $"{_app.MqttPort}", "-q", "1", "-t", $"{_scope}/a/{i}", "-m", $"before-{i}"]);
            Assert.True(code == 0, output);
        }
        (code, output) = await RunAsync("/usr/bin/mosquitto_pub", ["-p", $"{_app.MqttPort}", "-q", "1", "-r", "-t", $"{_scope}/retained", "-m", "kept"]);
        Assert.True(code == 0, output);

        const string Query = "--client_id&--is_online&--queue_started_at&--topic&--qos&--rap&--no_local&--offline_messages&--msg_ref";
        var scoped = Query + "&--client_id=~" + Uri.EscapeDataString("^" + _scope);
        var before = Rows(await _app.SessionShowAsync(scoped));
        // Written down: 3 clients offline, each holding the 3 messages on a/#; a row per subscription and
        // message: v3 has two subscriptions (6 rows), v5 and mosquitto one each (3 rows each).
        Assert.Equal(12, before.Count);
        Assert.All(before, row => Assert.Contains("\"is_online\":false", row, StringComparison.Ordinal));
        Assert.All(before, row => Assert.Contains("\"offline_messages\":3", row, StringComparison.Ordinal));

        await _app.KillAndRestartAsync();

        // The first answer after the restart: the same rows, queue_started_at and msg_ref included.
        Assert.Equal(before, Rows(await _app.SessionShowAsync(scoped)));

        // Published while they are still offline: queued for them as before the restart.
        (code, output) = await RunAsync("/usr/bin/mosquitto_pub", ["-p", $"{_app.MqttPort}", "-q", "1", "-t", $"{_scope}/a/3", "-m", "after-3"]);
        Assert.True(code == 0, output);
        (code, output) = await RunAsync("/usr/bin/mosquitto_pub", ["-p", $"{_app.MqttPort}", "-q", "2", "-t", $"{_scope}/b", "-m", "after-b"]);
        Assert.True(code == 0, output);

        string[] expected = ["before-0", "before-1", "before-2", "after-3"];
        var received3 = new ConcurrentQueue<string>();
        await ConnectAsync(v3, MqttProtocolVersion.V311, expiry: null, receivedText: received3, expectSessionPresent: true);
        await WaitUntilAsync(() => received3.Count >= 5, "the MQTT 3.1.1 client's five messages");
        Assert.Equal([.. expected, "after-b"], received3.ToArray());

        var received5 = new ConcurrentQueue<string>();
        await ConnectAsync(v5, MqttProtocolVersion.V500, expiry: 3600, receivedText: received5, expectSessionPresent: true);
        await WaitUntilAsync(() => received5.Count >= 4, "the MQTT 5 client's four messages");
        Assert.Equal(expected, received5.ToArray());

        (code, output) = await RunAsync("/usr/bin/mosquitto_sub", ["-p", $"{_app.MqttPort}", "-c", "-i", mosquitto, "-q", "1", "-t", _scope + "/a/#", "-C", "4", "-W", "30"]);
        Assert.True(code == 0, output);
        Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // The retained message too, to a new subscriber.
        (code, output) = await RunAsync("/usr/bin/mosquitto_sub", ["-p", $"{_app.MqttPort}", "-t", _scope + "/retained", "-C", "1", "-W", "30"]);
        Assert.True(code == 0, output);
        Assert.Equal("kept", output.Trim());
    }

    [Fact(Timeout = 180_000)]
    public async Task CleanConnect_DisconnectWithCleanup_AndExpiry_DeleteTheStoredSession()
    {
        var cleaned = _scope + "-clean";
        var removed = _scope + "-removed";
        var expiring = _scope + "-expiring";
        var counting = _scope + "-counting";
        var kept = _scope + "-kept";
        foreach (var id in (string[])[cleaned, removed])
        {
            var client = await ConnectAsync(id, MqttProtocolVersion.V311, expiry: null);
            await client.SubscribeAsync(_scope + "/x", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
            await client.DisconnectAsync(cancellationToken: Cancel);
        }
        foreach (var (id, expiry) in (ValueTuple<string, uint>[])[(expiring, 2), (counting, 60), (kept, 3600)])
        {
            var client = await ConnectAsync(id, MqttProtocolVersion.V500, expiry: expiry);
            await client.SubscribeAsync(_scope + "/x", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
            await client.DisconnectAsync(cancellationToken: Cancel);
        }
        var countingOffline = Stopwatch.StartNew();
        // A clean-session connect ends the stored session; so does disconnect with cleanup.
        var again = await ConnectAsync(cleaned, MqttProtocolVersion.V311, expiry: null, clean: true);
        await again.DisconnectAsync(cancellationToken: Cancel);
        Assert.StartsWith("200", await _app.ApiAsync($"/api/v1/session/disconnect?client-id={removed}&--cleanup"), StringComparison.Ordinal);
        // A 2 s expiry ends without the client coming back (MQTTnet alone would keep it until then).
        await WaitUntilAsync(async () => (await Ids()).SequenceEqual([counting, kept]), "the 2 s session to expire");

        await _app.StopAsync();
        // Offline for 10 s more before the app is back: the 60 s expiry keeps counting meanwhile. (60 s, not
        // less: on a loaded machine the steps before the restart alone have taken more than 30 s.)
        await Task.Delay(TimeSpan.FromSeconds(10), Cancel);
        await _app.StartAsync();
        var restarted = Stopwatch.StartNew();
        Assert.Equal([counting, kept], await Ids());

        await WaitUntilAsync(async () => (await Ids()).SequenceEqual([kept]), "the 60 s session to expire", seconds: 90);
        // Had the restart begun the count again, it would have taken 60 s from the restart; kept counting,
        // at most 50 s (it was offline 10 s and more before).
        Assert.True(restarted.Elapsed < TimeSpan.FromSeconds(55),
            $"expired {restarted.Elapsed.TotalSeconds:F0} s after the restart, {countingOffline.Elapsed.TotalSeconds:F0} s after going offline");

        async Task<string[]> Ids() =>
            [.. (await _app.SessionShowAsync("--client_id&--client_id=~" + Uri.EscapeDataString("^" + _scope))).Select(r => r.GetProperty("client_id").GetString()!).Order(StringComparer.Ordinal)];
    }

    private async Task<IMqttClient> ConnectAsync(string clientId, MqttProtocolVersion protocol, uint? expiry, bool clean = false,
        ConcurrentBag<int>? received = null, ConcurrentQueue<int>? receivedNumbers = null, ConcurrentQueue<string>? receivedText = null,
        bool expectSessionPresent = false)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += args =>
        {
            var text = Encoding.UTF8.GetString(args.ApplicationMessage.Payload);
            receivedText?.Enqueue(text);
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                received?.Add(number);
                receivedNumbers?.Enqueue(number);
            }
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _app.MqttPort).WithClientId(clientId)
            .WithProtocolVersion(protocol).WithCleanSession(clean).WithTimeout(TimeSpan.FromSeconds(20));
        if (expiry is { } seconds)
        {
            options.WithSessionExpiryInterval(seconds);
        }
        var result = await client.ConnectAsync(options.Build(), Cancel);
        if (expectSessionPresent)
        {
            Assert.True(result.IsSessionPresent, $"{clientId}: the broker's CONNACK said no session present");
        }
        _clients.Add(client);
        return client;
    }

    private Task<IMqttClient> ConnectAsync(string clientId, MqttProtocolVersion protocol, uint? expiry, ConcurrentQueue<int> received, bool expectSessionPresent) =>
        ConnectAsync(clientId, protocol, expiry, receivedNumbers: received, expectSessionPresent: expectSessionPresent);

    /// <summary>Publishes QoS 1 numbers from <paramref name="from"/> with up to <paramref name="window"/> in flight until stopped.</summary>
    private static async Task PublishAsync(IMqttClient publisher, string topic, int from, int window, ConcurrentBag<int> acknowledged, CancellationToken stop)
    {
        using var slots = new SemaphoreSlim(window);
        var pending = new List<Task>();
        for (var number = from; number < from + 100_000 && !stop.IsCancellationRequested; number++)
        {
            try
            {
                await slots.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            // Started here, in order; with one slot the next starts only once this one is acknowledged.
            pending.Add(PublishOneAsync(publisher, topic, number, acknowledged, slots));
        }
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static async Task PublishOneAsync(IMqttClient publisher, string topic, int number, ConcurrentBag<int> acknowledged, SemaphoreSlim slots)
    {
        try
        {
            var result = await publisher.PublishStringAsync(topic, number.ToString(CultureInfo.InvariantCulture), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: CancellationToken.None);
            if (result.IsSuccess)
            {
                acknowledged.Add(number);
            }
        }
        catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            // The broker was killed with this message in flight: not acknowledged, not counted.
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>Waits until <paramref name="count"/> has not moved for 5 s (at most 90 s).</summary>
    private static async Task WaitQuietAsync(Func<int> count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var last = -1;
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            if (count() != last)
            {
                last = count();
                since = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - since > TimeSpan.FromSeconds(5))
            {
                return;
            }
            await Task.Delay(100, Cancel);
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {seconds} s for {what}");
            await Task.Delay(100, Cancel);
        }
    }

    private static List<string> Rows(List<JsonElement> table) =>
        [.. table.Select(row => row.GetRawText()).Order(StringComparer.Ordinal)];

    private static async Task<(int Code, string Output)> RunAsync(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-h");
        start.ArgumentList.Add("127.0.0.1");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var output = process.StandardOutput.ReadToEndAsync(Cancel);
        var error = process.StandardError.ReadToEndAsync(Cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish within 60 s");
        }
        return (process.ExitCode, await output + await error);
    }
}
