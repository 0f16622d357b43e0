using Dashboard.Core.Store;
using Dashboard.Hosting;
using Dashboard.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(Dashboard.E2E.DashboardApp))]

namespace Dashboard.E2E;

/// <summary>
/// The real dashboard on a real socket (Kestrel, port 0), shared by the tests of this assembly; tests
/// feed its <see cref="SessionStore"/> directly and use client ids of their own.
/// </summary>
public class DashboardApp : IAsyncLifetime
{
    /// <summary>The <c>admin</c> user's password (<c>Auth:AdminPassword</c>).</summary>
    public const string AdminPassword = "e2e-admin-password";

    /// <summary>The password of the users <see cref="AddUser"/> creates.</summary>
    public const string UserPassword = "e2e-user-password";

    private readonly Factory _factory;

    public DashboardApp()
    {
        _factory = new Factory(this);
    }

    /// <summary>Settings a derived app adds or overrides (applied after the defaults).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    /// <summary>The app's services, for what a test must read from the inside (a store, a user list).</summary>
    public IServiceProvider Services => _factory.Services;
    private readonly Dictionary<string, string> _cookies = [];
    private readonly SemaphoreSlim _cookieLock = new(1, 1);

    /// <summary>The dashboard's HTTP address, without a trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The port of the app's embedded MQTT broker, for tests with real MQTT clients.</summary>
    public int MqttPort => _factory.Services.GetRequiredService<MqttEndpoint>().EndPoint!.Port;

    public SessionStore Store => _factory.Services.GetRequiredService<SessionStore>();

    public virtual ValueTask InitializeAsync()
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

    public virtual async ValueTask DisposeAsync()
    {
        _cookieLock.Dispose();
        await _factory.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Adds a dashboard user with <see cref="UserPassword"/> (once per name).</summary>
    public void AddUser(string name, UserRole role)
    {
        var users = _factory.Services.GetRequiredService<UserStore>();
        if (users.Find(name) is null)
        {
            Assert.True(users.Add(name, role, UserPassword, "e2e").IsSuccess, $"could not add {name}");
        }
    }

    /// <summary>A new wall-screen token's secret.</summary>
    public string CreateWallToken(string name) =>
        _factory.Services.GetRequiredService<WallTokenStore>().Create(name, "e2e").Value.Secret;

    /// <summary>
    /// The sign-in cookie's value for <paramref name="user"/>, got once through the real sign-in form
    /// over HTTP, so page tests start signed in without each typing into the form.
    /// </summary>
    public async Task<string> SignInCookieAsync(string user = "admin")
    {
        await _cookieLock.WaitAsync();
        try
        {
            if (_cookies.TryGetValue(user, out var cached))
            {
                return cached;
            }
            var cookie = await FormSignIn.GetCookieAsync(BaseUrl, user, user == "admin" ? AdminPassword : UserPassword);
            _cookies[user] = cookie;
            return cookie;
        }
        finally
        {
            _cookieLock.Release();
        }
    }

    /// <summary>The sign-in cookie's name.</summary>
    public const string CookieName = FormSignIn.CookieName;

    private sealed class Factory(DashboardApp app) : WebApplicationFactory<Program>
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
            builder.UseSetting("Auth:AdminPassword", AdminPassword);
            // Open pages re-check their sign-in this often, so a revocation shows within a test's patience.
            builder.UseSetting("Auth:RevalidateInterval", "00:00:02");
            foreach (var (key, value) in app.Settings)
            {
                builder.UseSetting(key, value);
            }
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
