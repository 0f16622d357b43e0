using Dashboard.Core.Store;
using Dashboard.Hosting;
using Dashboard.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Hosting;

/// <summary>
/// The real app on real sockets (HTTP and MQTT on free ports), with extra settings per test, and its
/// database in a temporary folder of its own (deleted on dispose) unless a test sets <c>Data:Path</c>.
/// </summary>
internal sealed class DashboardHost : WebApplicationFactory<Program>
{
    /// <summary>
    /// Stops and disposes the app. MQTTnet's hosted server now and then cancels a token source it has
    /// already disposed while the host stops (RELIABILITY.md, "MqttServer.StopAsync"); that race in the
    /// library is not what any test here checks, so it does not fail the test that merely ends.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        catch (ObjectDisposedException exception) when (exception.StackTrace?.Contains("MQTTnet.Server.MqttServer.StopAsync", StringComparison.Ordinal) == true)
        {
        }
    }

    /// <summary>The <c>admin</c> user's password in every test host (<c>Auth:AdminPassword</c>).</summary>
    public const string AdminPassword = "test-admin-password";

    /// <summary>The password <see cref="AddUser"/> gives its users.</summary>
    public const string UserPassword = "test-user-password";

    private readonly Dictionary<string, string?> _settings;
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "dashboard-host-" + Guid.NewGuid().ToString("N"));

    private readonly TimeProvider? _time;

    private DashboardHost(Dictionary<string, string?> settings, TimeProvider? time = null)
    {
        _settings = settings;
        _time = time;
    }

    public SessionStore Store => Services.GetRequiredService<SessionStore>();

    public int MqttPort => Services.GetRequiredService<MqttEndpoint>().EndPoint!.Port;

    public Uri HttpUrl => Services.GetRequiredService<HttpEndpoint>().Url!;

    /// <summary>Adds a dashboard user with <see cref="UserPassword"/>.</summary>
    public UserInfo AddUser(string name, UserRole role) =>
        Services.GetRequiredService<UserStore>().Add(name, role, UserPassword, "test").Value;

    /// <summary>A cookie-keeping client, signed in as <paramref name="user"/> (admin by default).</summary>
    public async Task<BrowserClient> SignInAsync(string user = "admin", string? password = null)
    {
        var browser = new BrowserClient(HttpUrl);
        var response = await browser.SignInAsync(user, password ?? (user == "admin" ? AdminPassword : UserPassword));
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Redirect, $"signing in as {user} answered {(int)response.StatusCode}");
        return browser;
    }

    public static DashboardHost Start(params (string Key, string? Value)[] settings) => Start(null, settings);

    /// <summary>The app on <paramref name="time"/> (e.g. a fake clock for expiries) instead of the system clock.</summary>
    public static DashboardHost Start(TimeProvider? time, params (string Key, string? Value)[] settings)
    {
        var host = new DashboardHost(settings.ToDictionary(s => s.Key, s => s.Value), time);
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
        builder.UseSetting("Auth:AdminPassword", AdminPassword);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        if (_time is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(_time));
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
