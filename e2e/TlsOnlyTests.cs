using System.Globalization;
using System.Text.RegularExpressions;

namespace Dashboard.E2E;

/// <summary>The broker with MQTT over TLS only: <c>Mqtt:Plain=false</c> (docs/deploying.md).</summary>
public sealed class TlsOnlyApp : AppProcess
{
    public TestCertificates Certificates { get; } = new();

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Mqtt:Plain=false", "--Mqtt:Tls:Port=0",
        "--Mqtt:Tls:Certificate=" + Certificates.ServerCertificate, "--Mqtt:Tls:CertificateKey=" + Certificates.ServerKey,
    ];

    /// <summary>The MQTT over TLS port, from the app's own log line.</summary>
    public int TlsPort => Output.Select(line => Regex.Match(line, @"MQTT over TLS listening on mqtts://[^:]+:(\d+)"))
        .Where(match => match.Success).Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).Last();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Certificates.Dispose();
    }
}

public sealed class TlsOnlyTests(TlsOnlyApp app) : IClassFixture<TlsOnlyApp>
{
    [Fact(Timeout = 90_000)]
    public async Task PlainOff_OnlyTlsListens_AndMosquittoPublishesOverIt()
    {
        // The app says where it listens: no plain MQTT port at all.
        Assert.Contains(app.Output, line => line.Contains("MQTT broker listening on mqtt://off and ", StringComparison.Ordinal));
        Assert.Equal(0, app.MqttPort);

        var (code, output) = await TlsTests.RunAsync("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", app.TlsPort.ToString(CultureInfo.InvariantCulture),
            "--cafile", app.Certificates.CaFile, "-i", "tls-only-pub", "-t", "tls-only/t", "-q", "1", "-m", "over tls only");
        Assert.True(code == 0, output);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("false", "Mqtt:Plain \"false\" needs Mqtt:Tls:Certificate: without MQTT over TLS the broker would have no listener.")]
    [InlineData("nope", "Mqtt:Plain \"nope\" is not true or false.")]
    public async Task PlainOff_WithoutTlsOrNotABoolean_StopsTheStartWithOneLine(string value, string message)
    {
        var data = Path.Combine(app.Certificates.Folder, "data-plain-" + value);
        var (code, output) = await TlsTests.RunAsync("dotnet", Path.Combine(AppContext.BaseDirectory, "Dashboard.dll"), "--Http:Port=0", "--Mqtt:Port=0",
            "--Mqtt:Plain=" + value, "--Data:Path=" + data, "--Auth:AdminPassword=e2e-admin-password");
        Assert.Equal(2, code);
        Assert.Equal(message, Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
