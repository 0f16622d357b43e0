using System.Collections.Concurrent;
using System.Threading.Channels;
using Dashboard.Core.Store;
using Dashboard.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.E2E;

/// <summary>
/// A second in-process dashboard on real sockets whose broker enforces an ACL file the test rewrites,
/// used by one test class only: the shared <see cref="DashboardApp"/> must keep allowing every topic,
/// and its totals move with every test running in parallel, so exact counts need an app of their own.
/// </summary>
public sealed class AclDashboardApp : IAsyncLifetime
{
    /// <summary>The user the ACL grants topics to.</summary>
    public const string User = "plant-operator";

    /// <summary>The rules the app starts with: <see cref="User"/> may use plant/a/# and plant/b/#.</summary>
    public const string InitialAcl = $"user {User}\ntopic plant/a/#\ntopic plant/b/#\n";

    private readonly string _folder = Directory.CreateTempSubdirectory("e2e-acl-").FullName;
    private readonly LogCapture _log = new();
    private readonly Factory _factory;

    public AclDashboardApp() => _factory = new Factory(AclPath, Path.Combine(_folder, "data"), _log);

    public string AclPath => Path.Combine(_folder, "vmq.acl");

    /// <summary>The dashboard's HTTP address, without a trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    public int MqttPort => _factory.Services.GetRequiredService<MqttEndpoint>().EndPoint!.Port;

    public SessionStore Store => _factory.Services.GetRequiredService<SessionStore>();

    /// <summary>Errors and critical entries the app logged, for tests to assert there were none.</summary>
    public IReadOnlyCollection<string> Errors => _log.Errors;

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(AclPath, InitialAcl);
        _factory.UseKestrel();
        _factory.StartServer();
        var url = _factory.Services.GetRequiredService<HttpEndpoint>().Url
            ?? throw new InvalidOperationException("The dashboard started without an HTTP endpoint.");
        BaseUrl = url.GetLeftPart(UriPartial.Authority);
        // The first version is loaded while the services are built; nothing may still be pending.
        Assert.Equal(1, await _log.AclVersions.ReadAsync());
    }

    /// <summary>Replaces the ACL file and waits until the broker has loaded that version (it reloads on change).</summary>
    public async Task RewriteAclAsync(string text, CancellationToken cancellationToken)
    {
        // Written beside it and renamed over it, so the watcher can never read a half-written file as a version.
        var next = AclPath + ".next";
        await File.WriteAllTextAsync(next, text, cancellationToken);
        File.Move(next, AclPath, overwrite: true);
        // The watcher logs each version it applies; a rejected file would never get here and time out.
        await _log.AclVersions.ReadAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
    }

    /// <summary>The admin's sign-in cookie for this app (its own users, so the shared app's cookie is refused here).</summary>
    public Task<string> AdminCookieAsync() => FormSignIn.GetCookieAsync(BaseUrl, "admin", DashboardApp.AdminPassword);

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class Factory(string aclPath, string dataPath, ILoggerProvider log) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Http:Address", "127.0.0.1");
            builder.UseSetting("Http:Port", "0");
            builder.UseSetting("Mqtt:Address", "127.0.0.1");
            builder.UseSetting("Mqtt:Port", "0");
            builder.UseSetting("Broker:NodeName", "e2e-acl@127.0.0.1");
            builder.UseSetting("Broker:AclFile", aclPath);
            // The app's database (users, keys, audit) lives with the ACL in this fixture's folder.
            builder.UseSetting("Data:Path", dataPath);
            builder.UseSetting("Auth:AdminPassword", DashboardApp.AdminPassword);
            builder.ConfigureLogging(logging => logging.AddProvider(log));
        }
    }

    /// <summary>Hears the app's log: the ACL versions it loads, and every error.</summary>
    private sealed class LogCapture : ILoggerProvider
    {
        private readonly Channel<long> _aclVersions = Channel.CreateUnbounded<long>();
        private readonly ConcurrentQueue<string> _errors = new();

        public ChannelReader<long> AclVersions => _aclVersions.Reader;

        public IReadOnlyCollection<string> Errors => _errors;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose() => _aclVersions.Writer.TryComplete();

        private sealed class Logger(LogCapture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    capture._errors.Enqueue($"{category}: {formatter(state, exception)} {exception}");
                }
                // The watcher's "Loaded auth file {Path} (version {Version})" entry carries the version as a field.
                if (category == "Dashboard.Broker.AclFile" && state is IReadOnlyList<KeyValuePair<string, object?>> fields
                    && fields.FirstOrDefault(f => f.Key == "{OriginalFormat}").Value is string format && format.StartsWith("Loaded auth file", StringComparison.Ordinal)
                    && fields.FirstOrDefault(f => f.Key == "Version").Value is long version)
                {
                    capture._aclVersions.Writer.TryWrite(version);
                }
            }
        }
    }
}
