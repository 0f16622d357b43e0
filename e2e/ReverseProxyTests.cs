using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using MQTTnet;

namespace Dashboard.E2E;

/// <summary>
/// The dashboard under <c>/dashboard</c> behind Debian's nginx (docs/nginx/mqtt-dashboard.conf): nginx
/// terminates TLS with a certificate of the test CA and connects to the app from 127.0.0.2, the only
/// address the app trusts forwarded headers from.
/// </summary>
public sealed class ProxiedApp : AppProcess, IAsyncLifetime
{
    public const string ApiKey = "proxy-e2e-mgmt-key-8e7f6a5b";

    public TestCertificates Certificates { get; } = new();

    public NginxProxy Nginx { get; private set; } = null!;

    /// <summary>The dashboard as browsers reach it: through nginx, under the base path.</summary>
    public string ProxyUrl => $"https://127.0.0.1:{Nginx.Port}/dashboard";

    protected override IEnumerable<string> ExtraArguments =>
        ["--Http:BasePath=/dashboard", "--Http:KnownProxies=" + NginxProxy.ProxyAddress, "--Api:Keys:0:Key=" + ApiKey, "--Api:Keys:0:Scope=mgmt"];

    // Re-implements IAsyncLifetime: xunit calls this one, which starts the app first.
    public new async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        using var http = new HttpClient(Certificates.TrustingHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        Nginx = await NginxProxy.StartAsync(HttpPort, Certificates, async port =>
        {
            try
            {
                return (await http.GetAsync($"https://127.0.0.1:{port}/dashboard/health/live")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        });
    }

    /// <summary>A client of nginx that trusts the test CA alone and does not follow redirects.</summary>
    public HttpClient ProxyClient()
    {
        var handler = Certificates.TrustingHandler();
        handler.AllowAutoRedirect = false;
        var http = new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("x-api-key", ApiKey);
        return http;
    }

    public override async ValueTask DisposeAsync()
    {
        if (Nginx is not null)
        {
            await Nginx.DisposeAsync();
        }
        await base.DisposeAsync();
        Certificates.Dispose();
    }
}

/// <summary>Behind a TLS-terminating nginx (docs/deploying.md#behind-a-reverse-proxy), under a base path, with the client's address in the audit log.</summary>
public sealed class ReverseProxyTests(ProxiedApp app) : IClassFixture<ProxiedApp>
{
    // What the browser adds to every request, as a client may: nginx appends the real address, and the
    // app must take that one, never the client's own claim.
    private const string ClaimedAddress = "203.0.113.66";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 180_000)]
    public async Task Chromium_ThroughNginx_SignsIn_GridAndWallLive_AuditHasTheClientsAddress_SignsOut()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        // Chromium does not know the test CA; nginx's certificate is checked by the HTTP client in the other test.
        await using var context = await browser.NewContextAsync(new()
        {
            IgnoreHTTPSErrors = true, Locale = "en-US",
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-For"] = ClaimedAddress },
        });
        var page = await context.NewPageAsync();

        // The sign-in redirect is built from the forwarded scheme and host, under the base path.
        await page.GotoAsync(app.ProxyUrl + "/sessions");
        Assert.Equal(app.ProxyUrl + "/login?returnUrl=%2Fdashboard%2Fsessions", page.Url);
        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(DashboardApp.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await page.WaitForURLAsync(app.ProxyUrl + "/sessions", new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            // Seen once in a full run (RELIABILITY.md): say where the browser was left and what it showed.
            Assert.Fail($"Sign-in through nginx did not reach the grid in 30 s; the page is {page.Url}, showing: {await page.Locator("main").InnerTextAsync()}");
        }
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == FormSignIn.CookieName);
        Assert.True(cookie.Secure, "the sign-in cookie is not Secure although the browser came over HTTPS");

        // The grid updates live over the circuit's WebSocket through nginx.
        var id = "proxy-grid-" + Guid.NewGuid().ToString("N")[..8];
        await page.GotoAsync(app.ProxyUrl + "/sessions?q=" + Uri.EscapeDataString($"--client_id=~^{id}"));
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeEnabledAsync(new() { Timeout = 30_000 });
        using var mqtt = new MqttClientFactory().CreateMqttClient();
        await mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", app.MqttPort).WithClientId(id).Build(), Cancel);
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = id, Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // The wall, scoped to that client: live, counting it.
        await page.GotoAsync(app.ProxyUrl + "/wall?q=" + Uri.EscapeDataString($"--client_id=~^{id}"));
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        var online = page.GetByRole(AriaRole.Group, new() { Name = "Sessions online", Exact = true });
        await Assertions.Expect(online).ToContainTextAsync("1");
        await mqtt.DisconnectAsync(cancellationToken: Cancel);
        await Assertions.Expect(online).ToContainTextAsync("0");

        // The audit log's sign-in: the browser's address (127.0.0.1), not nginx's, not what the browser claimed.
        var audit = await context.APIRequest.GetAsync(app.ProxyUrl + "/export/audit?action=sign-in&actor=admin");
        Assert.Equal(200, audit.Status);
        var rows = (await audit.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        var signIn = Assert.Single(rows);
        Assert.Contains("\"\"address\"\":\"\"127.0.0.1\"\"", signIn, StringComparison.Ordinal);
        Assert.DoesNotContain(NginxProxy.ProxyAddress, signIn, StringComparison.Ordinal);
        Assert.DoesNotContain(ClaimedAddress, signIn, StringComparison.Ordinal);

        // Signing out lands on the sign-in page under the base path.
        await page.GotoAsync(app.ProxyUrl + "/sessions");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(app.ProxyUrl + "/login", new() { Timeout = 30_000 });
    }

    [Fact(Timeout = 120_000)]
    public async Task ThroughNginx_MqttOverWebSocket_Api_AndHub_TheClientsAddress_AndNobodyElsesHeaders()
    {
        // MQTT over secure WebSocket through nginx: the session's peer is the client, not nginx.
        var id = "proxy-ws-" + Guid.NewGuid().ToString("N")[..8];
        using var mqtt = new MqttClientFactory().CreateMqttClient();
        await mqtt.ConnectAsync(new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri($"wss://127.0.0.1:{app.Nginx.Port}/dashboard/mqtt"))
            .WithTlsOptions(o => o.UseTls().WithCertificateValidationHandler(_ => true))
            .WithClientId(id).Build(), Cancel);

        using var http = app.ProxyClient();
        var rows = (await http.GetFromJsonAsync<JsonElement>(
            $"{app.ProxyUrl}/api/v1/session/show?--client_id={id}&--is_online&--peer_host", Cancel)).GetProperty("table");
        var row = Assert.Single(rows.EnumerateArray());
        Assert.True(row.GetProperty("is_online").GetBoolean());
        Assert.Equal("127.0.0.1", row.GetProperty("peer_host").GetString());

        // The live-feed hub over WebSocket through nginx sends that session.
        var snapshot = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var hub = new HubConnectionBuilder()
            .WithUrl($"{app.ProxyUrl}/hubs/sessions?q={Uri.EscapeDataString("--client_id=" + id)}&access_token={ProxiedApp.ApiKey}", options =>
            {
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
                options.WebSocketConfiguration = socket => socket.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            })
            .Build())
        {
            hub.On<JsonElement>("Snapshot", message => snapshot.TrySetResult(message.GetRawText()));
            await hub.StartAsync(Cancel);
            var received = await snapshot.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
            Assert.Contains(id, received, StringComparison.Ordinal);
        }
        await mqtt.DisconnectAsync(cancellationToken: Cancel);

        // Through nginx the redirect names nginx's scheme and host, whatever the client wrote itself...
        using var viaNginx = new HttpRequestMessage(HttpMethod.Get, app.ProxyUrl + "/sessions");
        viaNginx.Headers.Add("X-Forwarded-Host", "evil.example");
        using var proxied = await http.SendAsync(viaNginx, Cancel);
        Assert.Equal(HttpStatusCode.Redirect, proxied.StatusCode);
        Assert.StartsWith(app.ProxyUrl + "/login?", proxied.Headers.Location!.ToString(), StringComparison.Ordinal);

        // ...and straight to the app from an address that is not a known proxy, the headers count for nothing.
        using var direct = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, app.BaseUrl + "/dashboard/sessions");
        spoofed.Headers.Add("X-Forwarded-Proto", "https");
        spoofed.Headers.Add("X-Forwarded-Host", "evil.example");
        spoofed.Headers.Add("X-Forwarded-For", ClaimedAddress);
        using var answer = await direct.SendAsync(spoofed, Cancel);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.StartsWith(app.BaseUrl + "/dashboard/login?", answer.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadmeShowsTheTestedNginxConfiguration()
    {
        // The README's copy leaves out the comments; every directive must be the file's, in order.
        static string[] Directives(IEnumerable<string> lines) => [.. lines
            .Select(line => line.Split('#')[0].Trim()).Where(line => line.Length > 0)
            .Select(line => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries)))];
        var folder = Path.Combine(AppContext.BaseDirectory, "nginx");
        var readme = await File.ReadAllTextAsync(Path.Combine(folder, "README.md"), Cancel);
        var start = readme.IndexOf("```nginx", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no nginx block");
        var block = readme[(start + "```nginx".Length)..readme.IndexOf("```", start + 3, StringComparison.Ordinal)];
        Assert.Equal(Directives(await File.ReadAllLinesAsync(Path.Combine(folder, "mqtt-dashboard.conf"), Cancel)), Directives(block.Split('\n')));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--Http:KnownProxies=10.0.0.0/8,nginx.internal", "Http:KnownProxies")]
    [InlineData("--Http:BasePath=/dash board", "Http:BasePath")]
    public async Task BadProxySetting_StopsTheStart_WithOneLineNamingIt(string setting, string name)
    {
        var data = Path.Combine(app.Certificates.Folder, "data-" + name.Replace(':', '-'));
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Dashboard.dll"), "--Http:Port=0", "--Mqtt:Port=0", "--Data:Path=" + data,
                "--Auth:AdminPassword=e2e-admin-password", setting },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(Cancel);
        var output = process.StandardOutput.ReadToEndAsync(Cancel);
        try
        {
            await process.WaitForExitAsync(Cancel).WaitAsync(TimeSpan.FromSeconds(40), Cancel);
        }
        catch (TimeoutException)
        {
            // It started instead of refusing the setting: stop it, then fail below.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Cancel);
        }
        Assert.Equal(2, process.ExitCode);
        var line = Assert.Single((await output + await error).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(name + " ", line, StringComparison.Ordinal);
    }
}
