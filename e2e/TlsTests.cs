using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Dashboard.E2E;

/// <summary>
/// The dashboard with MQTT over TLS (PEM certificate and separate key; client certificates optional,
/// from the test CA; a certificate's name as the user name) and HTTPS (the same certificate as PFX
/// with a password), all made by <see cref="TestCertificates"/>.
/// </summary>
public sealed class TlsApp : AppProcess
{
    public const string ApiKey = "tls-e2e-mgmt-key-4d3c2b1a";

    public TestCertificates Certificates { get; } = new();

    protected override bool Https => true;

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Mqtt:Tls:Port=0", "--Mqtt:Tls:Certificate=" + Certificates.ServerCertificate, "--Mqtt:Tls:CertificateKey=" + Certificates.ServerKey,
        "--Mqtt:Tls:ClientCertificates=optional", "--Mqtt:Tls:CaFile=" + Certificates.CaFile, "--Mqtt:Tls:UseIdentityAsUsername=true",
        "--Http:Certificate=" + Certificates.ServerPfx, "--Http:CertificatePassword=" + TestCertificates.PfxPassword,
        "--Api:Keys:0:Key=" + ApiKey, "--Api:Keys:0:Scope=mgmt",
    ];

    /// <summary>The MQTT over TLS port, from the app's own log line.</summary>
    public int TlsPort => Output.Select(line => Regex.Match(line, @"MQTT over TLS listening on mqtts://[^:]+:(\d+)"))
        .Where(match => match.Success).Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).Last();

    /// <summary>An HTTP client that trusts the test CA alone: it proves the server presents the configured certificate.</summary>
    public HttpClient TrustingClient()
    {
        var handler = Certificates.TrustingHandler();
        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("x-api-key", ApiKey);
        return http;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Certificates.Dispose();
    }
}

/// <summary>MQTT over TLS (docs/deploying.md) with Debian's mosquitto clients, HTTPS in Chromium, certificate mistakes at start.</summary>
public sealed class TlsTests(TlsApp app) : IClassFixture<TlsApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private TestCertificates Certs => app.Certificates;

    [Fact(Timeout = 90_000)]
    public async Task Mosquitto_WithTheCa_SubscribesAndReceivesOverTls_WithItsOwnPeerFields()
    {
        var id = "tls-sub-" + Guid.NewGuid().ToString("N")[..8];
        await using var sub = MosquittoSub.Start(app.TlsPort, "--cafile", Certs.CaFile, "-i", id, "-t", id + "/t", "-q", "1", "-V", "mqttv311");
        var row = await WaitForSessionAsync(id);
        var localPort = sub.LocalPortTo(app.TlsPort);
        Assert.NotNull(localPort);
        Assert.Equal("127.0.0.1", row.GetProperty("peer_host").GetString());
        Assert.Equal(localPort, row.GetProperty("peer_port").GetInt32());

        var (code, output) = await RunAsync("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", app.TlsPort.ToString(CultureInfo.InvariantCulture),
            "--cafile", Certs.CaFile, "-i", id + "-pub", "-t", id + "/t", "-q", "1", "-m", "sent-over-tls");
        Assert.True(code == 0, output);
        await WaitUntilAsync(() => sub.Lines.Contains("sent-over-tls"));
    }

    [Fact(Timeout = 90_000)]
    public async Task ClientCertificate_FromTheCa_ItsCommonNameIsTheUser()
    {
        var id = "tls-cert-" + Guid.NewGuid().ToString("N")[..8];
        // A user name of its own, which the certificate's name replaces (VerneMQ's use_identity_as_username).
        await using var sub = MosquittoSub.Start(app.TlsPort, "--cafile", Certs.CaFile, "--cert", Certs.ClientCertificate, "--key", Certs.ClientKey,
            "-u", "typed-name", "-i", id, "-t", id + "/t");
        var row = await WaitForSessionAsync(id);
        Assert.Equal(TestCertificates.ClientName, row.GetProperty("user").GetString());
    }

    [Fact(Timeout = 90_000)]
    public async Task WrongCa_ClientRefusesTheBroker_AndTheBrokerRefusesAStrangersCertificate()
    {
        var id = "tls-wrong-" + Guid.NewGuid().ToString("N")[..8];
        var port = app.TlsPort.ToString(CultureInfo.InvariantCulture);
        var (wrongCa, wrongCaOutput) = await RunAsync("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", port,
            "--cafile", Certs.OtherCaFile, "-i", id + "-a", "-t", "t", "-m", "x");
        var (stranger, strangerOutput) = await RunAsync("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", port,
            "--cafile", Certs.CaFile, "--cert", Certs.StrangerCertificate, "--key", Certs.StrangerKey, "-i", id + "-b", "-t", "t", "-m", "x");
        // The same client with the right certificate gets in: the refusals above are about the certificates.
        var (trusted, trustedOutput) = await RunAsync("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", port,
            "--cafile", Certs.CaFile, "--cert", Certs.ClientCertificate, "--key", Certs.ClientKey, "-i", id + "-c", "-t", "t", "-m", "x");

        Assert.True(wrongCa != 0, "a client trusting another CA connected: " + wrongCaOutput);
        Assert.True(stranger != 0, "a certificate from another CA was accepted: " + strangerOutput);
        Assert.True(trusted == 0, trustedOutput);
        using var http = app.TrustingClient();
        var rows = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/session/show?--client_id=~^{id}-", Cancel)).GetProperty("table");
        Assert.Equal(0, rows.GetArrayLength());
    }

    [Fact(Timeout = 120_000)]
    public async Task Https_InChromium_SignsIn_SecureCookie_Hsts_AndTheGridIsLive()
    {
        using (var http = app.TrustingClient())
        {
            // Trusting only the test CA: the dashboard presents the configured certificate.
            using var login = await http.GetAsync("/login", Cancel);
            Assert.True(login.Headers.TryGetValues("Strict-Transport-Security", out var hsts), "no HSTS header over HTTPS");
            Assert.StartsWith("max-age=", hsts.Single(), StringComparison.Ordinal);
        }
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        // Chromium does not know the test CA; the certificate itself was checked above.
        await using var context = await browser.NewContextAsync(new() { IgnoreHTTPSErrors = true, Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.BaseUrl + "/login");
        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(DashboardApp.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new() { Timeout = 30_000 });
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == FormSignIn.CookieName);
        Assert.True(cookie.Secure, "the sign-in cookie is not Secure over HTTPS");

        var id = "tls-grid-" + Guid.NewGuid().ToString("N")[..8];
        await page.GotoAsync(app.BaseUrl + "/sessions?q=" + Uri.EscapeDataString($"--client_id=~^{id}"));
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeEnabledAsync(new() { Timeout = 30_000 });
        // A client arriving over MQTT/TLS shows up live over the circuit's secure WebSocket.
        await using var sub = MosquittoSub.Start(app.TlsPort, "--cafile", Certs.CaFile, "-i", id, "-t", id + "/t");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = id, Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    [Theory(Timeout = 60_000)]
    [InlineData("missing")]
    [InlineData("expired")]
    [InlineData("not-a-certificate")]
    [InlineData("wrong-password")]
    public async Task BadCertificate_StopsTheStart_WithOneLineNamingTheSetting(string problem)
    {
        var garbage = Path.Combine(Certs.Folder, "garbage.pem");
        await File.WriteAllTextAsync(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", Cancel);
        string[] settings = problem switch
        {
            "missing" => ["--Mqtt:Tls:Certificate=" + Path.Combine(Certs.Folder, "nowhere.pem")],
            "expired" => ["--Mqtt:Tls:Certificate=" + Certs.ExpiredCertificate, "--Mqtt:Tls:CertificateKey=" + Certs.ExpiredKey],
            "not-a-certificate" => ["--Http:Certificate=" + garbage],
            _ => ["--Http:Certificate=" + Certs.ServerPfx, "--Http:CertificatePassword=not-the-password"],
        };
        var expected = problem == "not-a-certificate" || problem == "wrong-password" ? "Http:Certificate" : "Mqtt:Tls:Certificate";
        var data = Path.Combine(Certs.Folder, "data-" + problem);
        var (code, output) = await RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Dashboard.dll"), "--Http:Port=0", "--Mqtt:Port=0",
            "--Mqtt:Tls:Port=0", "--Data:Path=" + data, "--Auth:AdminPassword=e2e-admin-password", .. settings]);
        Assert.Equal(2, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith(expected + " ", line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", line, StringComparison.Ordinal);
    }

    private async Task<JsonElement> WaitForSessionAsync(string clientId)
    {
        using var http = app.TrustingClient();
        for (var i = 0; i < 100; i++)
        {
            var rows = (await http.GetFromJsonAsync<JsonElement>(
                $"/api/v1/session/show?--client_id={clientId}&--is_online&--peer_host&--peer_port&--user", Cancel)).GetProperty("table");
            if (rows.GetArrayLength() == 1 && rows[0].GetProperty("is_online").GetBoolean())
            {
                return rows[0];
            }
            await Task.Delay(200, Cancel);
        }
        throw new TimeoutException($"{clientId} did not come online within 20 s.");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(200, Cancel);
        }
        Assert.True(condition(), "not within 20 s");
    }

    /// <summary>Runs a program to its end (at most 30 s); its exit code and what it printed on standard output and error.</summary>
    internal static async Task<(int Code, string Output)> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Cancel);
        var stderr = process.StandardError.ReadToEndAsync(Cancel);
        try
        {
            await process.WaitForExitAsync(Cancel).WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
