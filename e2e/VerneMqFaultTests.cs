using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Dashboard.VerneMq;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Dashboard.E2E;

/// <summary>
/// Faults around a real VerneMQ cluster: a node stopped and started again, a wrong API key, and the
/// dashboard itself started again while the cluster runs.
/// </summary>
[Collection(VerneMqCollection.Name)]
public sealed class VerneMqFaultTests(VerneMqDashboardApp app) : VerneMqApiTest(app, "vf")
{
    [Fact(Timeout = 240_000)]
    public async Task NodeStoppedAndStarted_SessionsStayMarkedStale_ThenReconciledAndHooksRegisteredAgain()
    {
        var (node1, node2) = (App.Cluster.Nodes[0], App.Cluster.Nodes[1]);
        var id = Scope + "-on2";
        var client = await ConnectAsync(node2, id);
        await client.SubscribeAsync(id + "/t", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        await client.DisconnectAsync(cancellationToken: Cancel);
        var query = "--client_id&--node&--is_online&--topic&--client_id=" + id;
        await WaitUntilAsync(async () => (await DashboardRowsAsync(query)).Count == 1, "the offline session in the mirror", 20);

        await App.Cluster.StopNodeAsync(node2);
        try
        {
            // VerneMQ's own answer (from node 1) no longer has node 2's sessions; the mirror keeps them,
            // and says whose they are and since when that node is gone.
            await WaitUntilAsync(async () => Rows(await App.Cluster.SessionShowAsync(query, node1)).Count == 0, "node 1 to stop listing node 2's session", 30);
            await WaitUntilAsync(() => Task.FromResult(Node(node2.Name) is { Reachable: false }), "node 2 shown unreachable", 30);
            await Task.Delay(TimeSpan.FromSeconds(4), Cancel); // more than a resync interval
            Assert.Single(await DashboardRowsAsync(query));
            using var http = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
            http.DefaultRequestHeaders.Add("Cookie", $"{DashboardApp.CookieName}={await App.SignInCookieAsync()}");
            var page = await http.GetStringAsync("/sessions", Cancel);
            Assert.Contains($"{node2.Name}</strong>", page, StringComparison.Ordinal);
            Assert.Contains("unreachable since", page, StringComparison.Ordinal);
        }
        finally
        {
            await App.Cluster.StartNodeAgainAsync(node2);
        }

        // Back: the mirror equals VerneMQ's own answer again, and node 2 carries this dashboard's hooks
        // again (registrations made at run time are lost with a restart).
        await WaitUntilAsync(async () => Node(node2.Name) is { Reachable: true, HooksRegistered: true }, "node 2 reachable and live again", 60);
        var hooks = await App.Cluster.ApiAsync(node2, "webhooks/show");
        var registered = hooks.GetProperty("table").EnumerateArray().Where(h => h.GetProperty("endpoint").GetString()!.StartsWith(App.BaseUrl + "/vernemq/webhook/", StringComparison.Ordinal))
            .Select(h => h.GetProperty("hook").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?>(VerneMqSource.Hooks), registered);
        await WaitUntilAsync(async () => Rows(await App.Cluster.SessionShowAsync(query, node1)).SequenceEqual(await DashboardRowsAsync(query)),
            "the mirror to equal VerneMQ's answer after the restart", 60);

        var after = Scope + "-after";
        await ConnectAsync(node2, after);
        await WaitUntilAsync(async () => (await DashboardRowsAsync("--client_id&--client_id=" + after)).Count == 1, "a new client on the restarted node", 20);
    }

    [Fact(Timeout = 120_000)]
    public async Task WrongApiKey_AppStartsAndSaysTheKeyIsRefused()
    {
        await using var wrong = new OtherVerneMqDashboard(App.Cluster, "not-the-key-0123456789");
        await wrong.InitializeAsync();

        using var http = new HttpClient { BaseAddress = new Uri(wrong.BaseUrl) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/login", Cancel)).StatusCode);
        var nodes = wrong.Services.GetRequiredService<VerneMqNodes>();
        await WaitUntilAsync(() => Task.FromResult(nodes.Nodes.Count == 2 && nodes.Nodes.All(n => n.Problem?.Contains("refused the API key", StringComparison.Ordinal) == true)),
            "both nodes reported as refusing the key", 30);
        http.DefaultRequestHeaders.Add("Cookie", $"{DashboardApp.CookieName}={await wrong.SignInCookieAsync()}");
        var page = await http.GetStringAsync("/sessions", Cancel);
        Assert.Contains("refused the API key (VerneMQ:ApiKey)", page, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-key", page, StringComparison.Ordinal);

        // An action that cannot reach VerneMQ says why (502, VerneMQ's alert shape), never a 500.
        using var api = new HttpClient { BaseAddress = new Uri(wrong.BaseUrl) };
        api.DefaultRequestHeaders.Add("x-api-key", VerneMqDashboardApp.DashboardKey);
        using var action = await api.GetAsync("/api/v1/session/disconnect?client-id=" + Scope + "-any", Cancel);
        Assert.Equal(HttpStatusCode.BadGateway, action.StatusCode);
        Assert.Contains("refused the API key", await action.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task DashboardStartedAgain_WhileTheClusterRuns_EndsInTheSameMirror()
    {
        var id = Scope + "-kept";
        var client = await ConnectAsync(App.Cluster.Nodes[1], id);
        await client.SubscribeAsync(id + "/x", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        var query = "--client_id&--node&--is_online&--topic&--peer_port&--queue_pid&--client_id=~" + Uri.EscapeDataString("^" + Scope);

        // A second dashboard with the same settings, started while the cluster runs, as after a restart.
        await using var fresh = new OtherVerneMqDashboard(App.Cluster, VerneMqCluster.ApiKey);
        await fresh.InitializeAsync();

        var expected = Rows(await App.Cluster.SessionShowAsync(query));
        Assert.Single(expected);
        await WaitUntilAsync(async () => Rows(await DashboardShowAsync(query, fresh.BaseUrl)).SequenceEqual(expected), "the fresh dashboard's mirror", 30);
    }

    [Fact(Timeout = 300_000)]
    public async Task DashboardProcessKilledAndStartedAgain_SameMirror_TheDeadProcessHooksRemoved()
    {
        var (node1, node2) = (App.Cluster.Nodes[0], App.Cluster.Nodes[1]);
        var id = Scope + "-killed";
        var client = await ConnectAsync(node2, id);
        await client.SubscribeAsync(id + "/x", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        var query = "--client_id&--node&--is_online&--topic&--peer_port&--queue_pid&--client_id=~" + Uri.EscapeDataString("^" + Scope);

        // A hook of someone else at a dead address, at another path: never the dashboard's to remove.
        var otherHook = "hook=on_client_gone&endpoint=" + Uri.EscapeDataString($"http://127.0.0.1:1/other/webhook/{Scope}?secret=0123456789abcdef");
        await App.Cluster.ApiAsync(node1, "webhooks/register?" + otherHook);
        try
        {
            await KillAndStartAgainAsync(node1, node2, query);
            Assert.Equal(1, await HooksOfAsync(node1, "http://127.0.0.1:1", "/other/webhook/" + Scope));
        }
        finally
        {
            await App.Cluster.ApiAsync(node1, "webhooks/deregister?" + otherHook);
        }
    }

    private async Task KillAndStartAgainAsync(VerneMqCluster.Node node1, VerneMqCluster.Node node2, string query)
    {
        // Dead addresses are given up after 6 s here instead of 30 s (VerneMQ:StaleHookAfter, documented for this).
        await using var process = new VerneMqProcess(App.Cluster, "--VerneMQ:StaleHookAfter=00:00:06");
        await process.InitializeAsync();
        var dead = process.BaseUrl;
        await WaitUntilAsync(async () => await HooksOfAsync(node1, dead) == VerneMqSource.Hooks.Length && await HooksOfAsync(node2, dead) == VerneMqSource.Hooks.Length,
            "the process's hooks on both nodes (vmq-admin webhooks show)", 30);

        await process.StopAsync();
        // Killed: nothing removed its hooks.
        Assert.Equal(VerneMqSource.Hooks.Length, await HooksOfAsync(node1, dead));
        await process.StartAsync();
        Assert.NotEqual(dead, process.BaseUrl);

        var expected = Rows(await App.Cluster.SessionShowAsync(query));
        Assert.Single(expected);
        await WaitUntilAsync(async () => Rows(await DashboardShowAsync(query, process.BaseUrl)).SequenceEqual(expected), "the restarted process's mirror", 60);
        // The dead address's hooks go from both nodes; the restarted process's and the shared app's stay.
        await WaitUntilAsync(async () => await HooksOfAsync(node1, dead) == 0 && await HooksOfAsync(node2, dead) == 0,
            "the killed process's hooks to be removed from both nodes", 90);
        foreach (var node in App.Cluster.Nodes)
        {
            Assert.Equal(VerneMqSource.Hooks.Length, await HooksOfAsync(node, process.BaseUrl));
            Assert.Equal(VerneMqSource.Hooks.Length, await HooksOfAsync(node, App.BaseUrl));
        }
    }

    /// <summary>How many hooks VerneMQ's own <c>vmq-admin webhooks show</c> lists on a node for an address and path.</summary>

    private VerneMqNodeStatus? Node(string name) =>
        App.Services.GetRequiredService<VerneMqNodes>().Nodes.FirstOrDefault(n => n.Name == name);

    private Task<IMqttClient> ConnectAsync(VerneMqCluster.Node node, string clientId) =>
        ConnectAsync(node, clientId, MqttProtocolVersion.V311, persistent: true, user: null);

    private async Task<List<string>> DashboardRowsAsync(string query) => Rows(await DashboardShowAsync(query));
}
