using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using MQTTnet;

namespace Dashboard.E2E;

/// <summary>
/// The dashboard as operators run it: JSON console logs at Debug (ASP.NET Core at Information), a
/// read-scope API key for Prometheus, secrets everywhere a log line could pick them up.
/// </summary>
public sealed class ObservedApp : AppProcess
{
    public const string ReadKey = "observed-read-key-5f1c9a0d2b";
    public const string MgmtKey = "observed-mgmt-key-8e7d6c5b4a";

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Logging:Console:FormatterName=json", "--Logging:LogLevel:Default=Debug", "--Logging:LogLevel:Microsoft.AspNetCore=Information",
        "--Api:Keys:0:Key=" + ReadKey, "--Api:Keys:0:Scope=read", "--Api:Keys:1:Key=" + MgmtKey, "--Api:Keys:1:Scope=mgmt",
    ];
}

/// <summary>Health endpoints (docs/deploying.md), Prometheus metrics scraped by a real Prometheus, JSON logs without secrets.</summary>
public sealed class ObservabilityTests(ObservedApp app) : IClassFixture<ObservedApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Health_LiveAndReady_AnswerWithoutSignInAndWithoutDetails()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            using var response = await http.GetAsync(app.BaseUrl + path, Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Cancel));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Metrics_WithoutAKey_AreRefused_WithAReadKey_AreServed()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var anonymous = await http.GetAsync(app.BaseUrl + "/metrics", Cancel))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, app.BaseUrl + "/metrics");
        request.Headers.Add("x-api-key", ObservedApp.ReadKey);
        using var keyed = await http.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
        Assert.Contains("# TYPE mqtt_sessions_online gauge", await keyed.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task Prometheus_ScrapingTheApp_FindsTheSessionGaugeEqualToTheConnectedTestClients()
    {
        // This app is the test's own: no other client is connected to it.
        await using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{app.HttpPort}", ObservedApp.ReadKey);
        var clients = new List<IMqttClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = new MqttClientFactory().CreateMqttClient();
                clients.Add(client);
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", app.MqttPort)
                    .WithClientId($"prometheus-{i}-{Guid.NewGuid():N}").Build(), Cancel);
            }
            Assert.Equal([3.0], await prometheus.WaitForAsync("mqtt_sessions_online", 3));

            await clients[0].DisconnectAsync(cancellationToken: Cancel);
            Assert.Equal([2.0], await prometheus.WaitForAsync("mqtt_sessions_online", 2));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task JsonConsole_EveryLineIsJson_AndNoSecretIsInAnyLine()
    {
        const string wrongPassword = "wrong-password-3c2b1a";
        const string mqttPassword = "mqtt-client-password-9f8e7d";
        const string unknownKey = "unknown-api-key-6a5b4c3d";

        // A sign-in, a failed sign-in, the API with a key in a header, as Basic user name and a wrong one,
        // the hub with its key as access_token, an MQTT client with a password.
        await FormSignIn.GetCookieAsync(app.BaseUrl, "admin", DashboardApp.AdminPassword);
        await Assert.ThrowsAsync<InvalidOperationException>(() => FormSignIn.GetCookieAsync(app.BaseUrl, "admin", wrongPassword));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (scheme, key) in new[] { ("header", ObservedApp.MgmtKey), ("basic", ObservedApp.ReadKey), ("header", unknownKey) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, app.BaseUrl + "/api/v1/session/show?--client_id");
            if (scheme == "header")
            {
                request.Headers.Add("x-api-key", key);
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
            }
            using var _ = await http.SendAsync(request, Cancel);
        }
        await using (var hub = new HubConnectionBuilder()
            .WithUrl(app.BaseUrl + "/hubs/sessions?access_token=" + ObservedApp.ReadKey, options =>
            {
                // Straight to the WebSocket, as a browser would: the key travels as ?access_token= in the URL.
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
            })
            .Build())
        {
            await hub.StartAsync(Cancel);
            await hub.StopAsync(Cancel);
        }
        using (var mqtt = new MqttClientFactory().CreateMqttClient())
        {
            await mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", app.MqttPort)
                .WithClientId("logs-" + Guid.NewGuid().ToString("N")).WithCredentials("logs-user", mqttPassword).Build(), Cancel);
            await mqtt.DisconnectAsync(cancellationToken: Cancel);
        }
        // The app's stdout lags a little behind: read until it stops growing (at most 5 s).
        var lines = app.Output;
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(250, Cancel);
            var again = app.Output;
            if (again.Count == lines.Count)
            {
                break;
            }
            lines = again;
        }

        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.True(document.RootElement.TryGetProperty("LogLevel", out _), line);
        }
        // At least the requests above were logged, so the secrets had their chance to show.
        Assert.Contains(lines, line => line.Contains("/hubs/sessions", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("/api/v1/session/show", StringComparison.Ordinal));
        foreach (var secret in new[] { DashboardApp.AdminPassword, wrongPassword, mqttPassword, ObservedApp.ReadKey, ObservedApp.MgmtKey, unknownKey })
        {
            var leak = lines.FirstOrDefault(line => line.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"a log line holds the secret {secret}: {leak}");
        }
    }
}

/// <summary>
/// A dashboard whose only VerneMQ node does not answer (nothing listens on its port), with metrics on a
/// port of their own: never ready, yet alive, and the VerneMQ secrets stay out of its log.
/// </summary>
public sealed class UnreadyVerneMqApp : AppProcess
{
    public const string VerneMqKey = "vernemq-api-key-0d9c8b7a6f";
    public const string WebhookSecret = "webhook-secret-1e2f3a4b5c6d";

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Source:Kind=VerneMQ", "--VerneMQ:Nodes:0:Url=http://127.0.0.1:9", "--VerneMQ:ApiKey=" + VerneMqKey,
        "--VerneMQ:WebhookSecret=" + WebhookSecret, "--VerneMQ:CallbackUrl=http://127.0.0.1:9/cb",
        "--Metrics:Port=0", "--Logging:LogLevel:Default=Debug", "--Logging:LogLevel:Microsoft.AspNetCore=Information",
    ];
}

public sealed class UnreadyAppTests(UnreadyVerneMqApp app) : IClassFixture<UnreadyVerneMqApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Ready_WhileNoVerneMqNodeAnswers_IsUnhealthyWithoutDetails_LiveIsHealthy()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var ready = await http.GetAsync(app.BaseUrl + "/health/ready", Cancel))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync(Cancel));
        }
        using var live = await http.GetAsync(app.BaseUrl + "/health/live", Cancel);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Metrics_OnTheirOwnPort_NeedNoKey_AndThatPortServesNothingElse()
    {
        var line = app.Output.FirstOrDefault(text => text.Contains("Prometheus metrics at http://", StringComparison.Ordinal));
        Assert.NotNull(line);
        var url = line[line.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var metrics = await http.GetAsync(url, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Contains("# TYPE mqtt_sessions_online gauge", await metrics.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        }
        using (var page = await http.GetAsync(url.Replace("/metrics", "/login", StringComparison.Ordinal), Cancel))
        {
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        }
        // The dashboard's own port does not serve them.
        using var main = await http.GetAsync(app.BaseUrl + "/metrics", Cancel);
        Assert.DoesNotContain("# TYPE", await main.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Log_WhileVerneMqIsCalledAndFails_HoldsNeitherItsKeyNorTheWebhookSecret()
    {
        // Its checks of the node fail and are logged; a wrong webhook call too.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (await http.PostAsync(app.BaseUrl + "/vernemq/webhook/n1?secret=" + UnreadyVerneMqApp.WebhookSecret + "x", new StringContent("{}"), Cancel))
        {
        }
        for (var i = 0; i < 40 && !app.Output.Any(text => text.Contains("127.0.0.1:9", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(250, Cancel);
        }
        var lines = app.Output;
        Assert.Contains(lines, text => text.Contains("127.0.0.1:9", StringComparison.Ordinal));
        foreach (var secret in new[] { UnreadyVerneMqApp.VerneMqKey, UnreadyVerneMqApp.WebhookSecret })
        {
            var leak = lines.FirstOrDefault(text => text.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"a log line holds the secret {secret}: {leak}");
        }
    }
}
