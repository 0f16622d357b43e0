using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dashboard.Core.Sessions;

namespace Dashboard.Tests.Hosting;

/// <summary>
/// MQTT.js (the JavaScript client most web and Node.js MQTT code uses) against the embedded broker, with
/// its own defaults: MQTT 3.1.1, clean session, a generated <c>mqttjs_…</c> client id; and as an MQTT 5
/// persistent client. The client's own account of what happened (its id, its SUBACK, the message it got
/// back) is compared with what the dashboard shows. <c>test.sh</c> installs it from e2e/mqttjs.
/// </summary>
public sealed class MqttJsClientTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("{}", 4, true)]
    [InlineData("""{"protocolVersion":5,"clean":false,"clientId":"mqttjs-five-@ID","properties":{"sessionExpiryInterval":300}}""", 5, false)]
    public async Task MqttJs_ConnectsSubscribesAndGetsItsMessage_ShownWithItsOwnClientId(string options, int protocol, bool clean)
    {
        await using var host = DashboardHost.Start();
        var topic = "mqttjs/" + Guid.NewGuid().ToString("N")[..8];
        options = options.Replace("@ID", Guid.NewGuid().ToString("N")[..8], StringComparison.Ordinal);
        using var node = StartClient($"mqtt://127.0.0.1:{host.MqttPort.ToString(CultureInfo.InvariantCulture)}", options, topic);

        var connected = await NextAsync(node, "connected");
        var clientId = connected.GetProperty("clientId").GetString()!;
        Assert.Equal(1, (await NextAsync(node, "subscribed")).GetProperty("qos").GetInt32());
        var message = await NextAsync(node, "message");
        Assert.Equal("hello from mqtt.js", message.GetProperty("payload").GetString());
        Assert.Equal(1, message.GetProperty("qos").GetInt32());

        // The SUBACK reached the client before the tracker's batch reached the store: wait for it.
        await host.Store.WaitForAsync(clientId, q => q is { Subscriptions.Length: > 0 }, "the MQTT.js client's subscription never showed");
        var queue = host.Store.Get(new QueueKey("", clientId));
        Assert.NotNull(queue);
        Assert.True(queue.IsOnline);
        Assert.Equal(clean, queue.CleanSession);
        Assert.Equal(protocol, queue.Sessions[0].Protocol);
        Assert.Equal(topic, Assert.Single(queue.Subscriptions).Topic);

        // It leaves cleanly when told to.
        node.StandardInput.Close();
        await NextAsync(node, "closed");
        await host.Store.WaitForAsync(clientId, q => q is not { IsOnline: true }, "the MQTT.js client never showed offline");
        Assert.Equal(!clean, host.Store.Get(new QueueKey("", clientId)) is not null);
    }

    private static Process StartClient(string url, string options, string topic)
    {
        var script = FindScript();
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { script, url, options, topic },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("node is missing: install Debian's nodejs and npm packages (./test.sh does this when it can).", exception);
        }
    }

    /// <summary>e2e/mqttjs/client.mjs, found from the test's folder up; its node_modules come from test.sh.</summary>
    private static string FindScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var script = Path.Combine(folder.FullName, "e2e", "mqttjs", "client.mjs");
            if (File.Exists(script))
            {
                if (!Directory.Exists(Path.Combine(folder.FullName, "e2e", "mqttjs", "node_modules", "mqtt")))
                {
                    throw new InvalidOperationException("MQTT.js is not installed: run `npm ci` in e2e/mqttjs (./test.sh does this).");
                }
                return script;
            }
        }
        throw new InvalidOperationException("e2e/mqttjs/client.mjs not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The next line the client printed with this event; fails on its error, timeout or exit.</summary>
    private static async Task<JsonElement> NextAsync(Process node, string expected)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = await node.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                Assert.Fail($"MQTT.js exited before '{expected}': {await node.StandardError.ReadToEndAsync(Cancel)}");
            }
            var step = JsonDocument.Parse(line).RootElement.Clone();
            var name = step.GetProperty("event").GetString();
            if (name == expected)
            {
                return step;
            }
            Assert.True(name is "connected" or "subscribed" or "message", $"MQTT.js said {line} while '{expected}' was awaited");
        }
    }
}
