using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dashboard.Core.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.Bench;

/// <summary>
/// How long a VerneMQ change takes to show in the sessions grid in Chromium (`vernemq-grid` mode), apart
/// from the hub (`vernemq-latency`): a signed-in Playwright page on the grid, filtered to the bench's
/// clients; one persistent MQTT 3.1.1 client at a time connects to a node (time from starting the connect
/// until its row says is_online true) and disconnects (until it says false). The page is polled every
/// 10 ms in the browser; the clients go in batches of 40 so that each batch fits the grid's first page.
/// Arguments: dashboard URL, user, password, a node's MQTT port, number of clients, and optionally a
/// dashboard API key: then the hub's live feed is followed as well, and the grid's time after the hub's
/// is reported apart, to tell the grid's own share from the mirror's.
/// </summary>
internal static class VerneMqGridLatency
{
    private const int Batch = 40;

    // The row of a client whose cells hold its id and the given is_online value (query: --client_id --is_online).
    private const string RowShows = """
        ([id, online]) => [...document.querySelectorAll('[aria-label="Sessions"] tbody tr')].some(tr => {
            const cells = [...tr.querySelectorAll('td')].map(td => td.textContent.trim());
            return cells.includes(id) && cells.includes(online);
        })
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 5)
        {
            Console.Error.WriteLine("vernemq-grid DASHBOARD_URL USER PASSWORD MQTT_PORT CLIENTS");
            return 2;
        }
        var url = args[0].TrimEnd('/');
        var port = int.Parse(args[3], CultureInfo.InvariantCulture);
        var clients = int.Parse(args[4], CultureInfo.InvariantCulture);
        var prefix = "grid-" + Guid.NewGuid().ToString("N")[..6] + "-";
        var hubSeen = new ConcurrentDictionary<string, long>();
        await using var hub = args.Length > 5 ? await FollowHubAsync(url, args[5], prefix, hubSeen) : null;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        await page.GotoAsync(url + "/login");
        await page.GetByLabel("User name").FillAsync(args[1]);
        await page.GetByLabel("Password").FillAsync(args[2]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(u => !u.Contains("/login", StringComparison.Ordinal));

        var online = new List<double>();
        var offline = new List<double>();
        var onlineAfterHub = new List<double>();
        var offlineAfterHub = new List<double>();
        var factory = new MqttClientFactory();
        var wait = new PageWaitForFunctionOptions { PollingInterval = 10, Timeout = 30_000 };
        for (var start = 0; start < clients; start += Batch)
        {
            var batch = prefix + (start / Batch).ToString(CultureInfo.InvariantCulture) + "-";
            // Not timed: a page for this batch, once its circuit is interactive (Run is enabled then).
            await page.GotoAsync(url + "/sessions?q=" + Uri.EscapeDataString($"--client_id --is_online --limit=1000 --client_id=~^{batch}"));
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeEnabledAsync(new() { Timeout = 30_000 });
            for (var i = start; i < Math.Min(clients, start + Batch); i++)
            {
                var id = batch + i.ToString(CultureInfo.InvariantCulture);
                using var client = factory.CreateMqttClient();
                var started = Stopwatch.GetTimestamp();
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(id)
                    .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(false).Build());
                await page.WaitForFunctionAsync(RowShows, new object[] { id, "true" }, wait);
                online.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                AfterHub(hubSeen, id + "/" + Presence.Online, onlineAfterHub);
                started = Stopwatch.GetTimestamp();
                await client.DisconnectAsync();
                await page.WaitForFunctionAsync(RowShows, new object[] { id, "false" }, wait);
                offline.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                AfterHub(hubSeen, id + "/" + Presence.Offline, offlineAfterHub);
            }
        }
        Console.WriteLine($"{clients} clients; connect→online in the grid: {VerneMqLatency.Summary(online)}; disconnect→offline: {VerneMqLatency.Summary(offline)}");
        if (hub is not null)
        {
            Console.WriteLine($"grid after the hub ({onlineAfterHub.Count} and {offlineAfterHub.Count} seen on both): online {VerneMqLatency.Summary(onlineAfterHub)}; offline {VerneMqLatency.Summary(offlineAfterHub)}");
        }

        // Leave the cluster as it was: a clean-session connect ends each bench session.
        for (var i = 0; i < clients; i++)
        {
            using var cleanup = factory.CreateMqttClient();
            await cleanup.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port)
                .WithClientId(prefix + (i / Batch).ToString(CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture))
                .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(true).Build());
            await cleanup.DisconnectAsync();
        }
        return 0;
    }

    // The grid saw the change now; how long after the hub's Changes batch carried it (when it did).
    private static void AfterHub(ConcurrentDictionary<string, long> hubSeen, string change, List<double> into)
    {
        var now = Stopwatch.GetTimestamp();
        if (hubSeen.TryGetValue(change, out var at))
        {
            into.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
        }
    }

    private static async Task<HubConnection> FollowHubAsync(string url, string apiKey, string prefix, ConcurrentDictionary<string, long> seen)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(url + "/hubs/sessions?q=" + Uri.EscapeDataString($"--client_id=~^{prefix}")), o => o.Headers["x-api-key"] = apiKey)
            .Build();
        hub.On<SessionSnapshotMessage>(nameof(ISessionsClient.Snapshot), _ => { });
        hub.On<SessionCountersMessage>(nameof(ISessionsClient.Counters), _ => { });
        hub.On<SessionChangesMessage>(nameof(ISessionsClient.Changes), batch =>
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var change in batch.Changes)
            {
                if (change.Presence is { } presence)
                {
                    seen.TryAdd(change.ClientId + "/" + presence, now);
                }
            }
        });
        await hub.StartAsync();
        return hub;
    }
}
