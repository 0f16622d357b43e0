using Dashboard.Core.Store;
using Dashboard.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(Dashboard.E2E.DashboardApp))]

namespace Dashboard.E2E;

/// <summary>
/// The real dashboard on a real socket (Kestrel, port 0), shared by the tests of this assembly; tests
/// feed its <see cref="SessionStore"/> directly and use client ids of their own.
/// </summary>
public sealed class DashboardApp : IAsyncLifetime
{
    private readonly Factory _factory = new();

    /// <summary>The dashboard's HTTP address, without a trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The port of the app's embedded MQTT broker, for tests with real MQTT clients.</summary>
    public int MqttPort => _factory.Services.GetRequiredService<MqttEndpoint>().EndPoint!.Port;

    public SessionStore Store => _factory.Services.GetRequiredService<SessionStore>();

    public ValueTask InitializeAsync()
    {
        _factory.UseKestrel();
        _factory.StartServer();
        // The factory's own BaseAddress is the last endpoint bound, which need not be the HTTP one
        // once the broker adds its listener, so the app says where its HTTP listener ended up.
        var url = _factory.Services.GetRequiredService<HttpEndpoint>().Url
            ?? throw new InvalidOperationException("The dashboard started without an HTTP endpoint.");
        BaseUrl = url.GetLeftPart(UriPartial.Authority);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    private sealed class Factory : WebApplicationFactory<Program>
    {
        // The app's database (users, keys, audit) goes to a folder of its own, never the repository's ./data.
        private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "dashboard-e2e-" + Guid.NewGuid().ToString("N"));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Http:Address", "127.0.0.1");
            builder.UseSetting("Http:Port", "0");
            builder.UseSetting("Mqtt:Port", "0");
            builder.UseSetting("Broker:NodeName", "e2e@127.0.0.1");
            builder.UseSetting("Data:Path", _dataPath);
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (Directory.Exists(_dataPath))
            {
                Directory.Delete(_dataPath, recursive: true);
            }
        }
    }
}
