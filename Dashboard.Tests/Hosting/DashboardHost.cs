using Dashboard.Core.Store;
using Dashboard.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Hosting;

/// <summary>
/// The real app on real sockets (HTTP and MQTT on free ports), with extra settings per test, and its
/// database in a temporary folder of its own (deleted on dispose) unless a test sets <c>Data:Path</c>.
/// </summary>
internal sealed class DashboardHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "dashboard-host-" + Guid.NewGuid().ToString("N"));

    private DashboardHost(Dictionary<string, string?> settings) => _settings = settings;

    public SessionStore Store => Services.GetRequiredService<SessionStore>();

    public int MqttPort => Services.GetRequiredService<MqttEndpoint>().EndPoint!.Port;

    public Uri HttpUrl => Services.GetRequiredService<HttpEndpoint>().Url!;

    public static DashboardHost Start(params (string Key, string? Value)[] settings)
    {
        var host = new DashboardHost(settings.ToDictionary(s => s.Key, s => s.Value));
        host.UseKestrel();
        host.StartServer();
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Http:Address", "127.0.0.1");
        builder.UseSetting("Http:Port", "0");
        builder.UseSetting("Mqtt:Address", "127.0.0.1");
        builder.UseSetting("Mqtt:Port", "0");
        builder.UseSetting("Broker:NodeName", "host-test@127.0.0.1");
        builder.UseSetting("Data:Path", _dataPath);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        // The host (and with it the database's connection pool) goes first, then its files.
        base.Dispose(disposing);
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
