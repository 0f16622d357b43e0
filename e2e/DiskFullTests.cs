using System.Collections.Concurrent;
using System.Buffers;
using System.Diagnostics;
using System.Net;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.E2E;

/// <summary>
/// A disk that refuses writes (docs/persistence.md#when-the-disk-refuses-writes). The app's data folder is a 3 MB tmpfs of its own, filled up
/// while the app runs: the broker keeps serving and says so (log, Admin banner); once there is room
/// again it writes everything it kept in memory, which a kill and restart then prove.
/// </summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    private readonly PersistentBrokerApp _app = new();
    private readonly List<IMqttClient> _clients = [];
    private readonly string _scope = "diskfull-" + Guid.NewGuid().ToString("N")[..8];
    private bool _mounted;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_app.DataPath);
        var (code, output) = await RunAsync("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", _app.DataPath);
        Assert.True(code == 0, $"mounting a tmpfs for the data folder needs root (CAP_SYS_ADMIN): {output}");
        _mounted = true;
        await _app.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        await _app.StopAsync();
        if (_mounted)
        {
            await RunAsync("umount", _app.DataPath);
        }
        await _app.DisposeAsync();
    }

    [Fact(Timeout = 180_000)]
    public async Task DiskFull_BrokerKeepsServingAndSaysSo_ThenWritesEverythingOnceThereIsRoom()
    {
        var cookie = await FormSignIn.GetCookieAsync(_app.BaseUrl, "admin", DashboardApp.AdminPassword);
        var subscriber = await ConnectAsync(_scope + "-sub");
        await subscriber.SubscribeAsync(_scope + "/t", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await subscriber.DisconnectAsync(cancellationToken: Cancel);
        var watcher = await ConnectAsync(_scope + "-watch", clean: true);
        var watched = new ConcurrentQueue<string>();
        watcher.ApplicationMessageReceivedAsync += args =>
        {
            watched.Enqueue(args.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await watcher.SubscribeAsync(_scope + "/t", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);

        var filler = Path.Combine(_app.DataPath, "filler");
        Fill(filler);

        // 20 messages of 20 KB: more than the file can take now. Every one is still acknowledged and delivered.
        var publisher = await ConnectAsync(_scope + "-pub", clean: true);
        for (var i = 0; i < 20; i++)
        {
            var result = await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(_scope + "/t")
                .WithPayload(Payload(i)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Cancel);
            Assert.True(result.IsSuccess, $"message {i}: {result.ReasonCode}");
        }
        await WaitUntilAsync(() => watched.Count >= 20, "the online subscriber to get the 20 messages");
        await WaitUntilAsync(() => _app.Output.Any(line => line.Contains("Writing persistent sessions to", StringComparison.Ordinal)), "the log to say writing failed");
        Assert.Contains("Sessions are not being saved", await PageAsync(cookie), StringComparison.Ordinal);

        File.Delete(filler);
        await WaitUntilAsync(() => _app.Output.Any(line => line.Contains("are written to", StringComparison.Ordinal)), "the log to say writing works again");
        Assert.DoesNotContain("Sessions are not being saved", await PageAsync(cookie), StringComparison.Ordinal);

        await _app.KillAndRestartAsync();
        var received = new ConcurrentQueue<byte[]>();
        var back = new MqttClientFactory().CreateMqttClient();
        back.ApplicationMessageReceivedAsync += args =>
        {
            received.Enqueue(args.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        _clients.Add(back);
        var connected = await back.ConnectAsync(Options(_scope + "-sub", clean: false), Cancel);
        Assert.True(connected.IsSessionPresent);
        await WaitUntilAsync(() => received.Count >= 20, "the 20 messages kept through the full disk");
        Assert.Equal(Enumerable.Range(0, 20).Select(Payload), received.ToArray());
    }

    private static byte[] Payload(int number)
    {
        var payload = new byte[20_000];
        Array.Fill(payload, (byte)('a' + (number % 26)));
        BitConverter.TryWriteBytes(payload, number);
        return payload;
    }

    /// <summary>Writes zeros until the file system says it is full.</summary>
    private static void Fill(string path)
    {
        using var file = File.Create(path);
        var block = new byte[64 * 1024];
        try
        {
            for (var i = 0; i < 1_000; i++)
            {
                file.Write(block);
                file.Flush();
            }
        }
        catch (IOException)
        {
            return;
        }
        Assert.Fail("the 3 MB tmpfs never filled up");
    }

    private async Task<string> PageAsync(string cookie)
    {
        using var handler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(_app.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/audit");
        request.Headers.Add("Cookie", $"{DashboardApp.CookieName}={cookie}");
        using var answer = await http.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return await answer.Content.ReadAsStringAsync(Cancel);
    }

    private MqttClientOptions Options(string clientId, bool clean) =>
        new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _app.MqttPort).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(clean).WithTimeout(TimeSpan.FromSeconds(20)).Build();

    private async Task<IMqttClient> ConnectAsync(string clientId, bool clean = false)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(Options(clientId, clean), Cancel);
        _clients.Add(client);
        return client;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited 30 s for {what}");
            await Task.Delay(100, Cancel);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, output);
    }
}
