using Dashboard.Hosting;
using Dashboard.Security;
using Dashboard.Tests.Core.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Security;

public sealed class AdminBootstrapTests : IDisposable
{
    private readonly SecurityFixture _db = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void EnsureAdmin_FirstStartWithoutPassword_GeneratesOneLogsItOnceAndItWorks()
    {
        Bootstrap(null).EnsureAdmin();

        var admin = _db.Users.Find("admin");
        Assert.Equal(UserRole.Admin, admin!.Role);
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        var password = Assert.IsType<string>(warning.Values["Password"]);
        Assert.True(password.Length >= 20, password);
        Assert.Contains(password, warning.Message, StringComparison.Ordinal);
        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("admin", password).Status);
        Assert.Equal((AuditActors.System, AuditActions.UserAdd), _db.AuditEntries(new AuditQuery { Target = "admin", Action = AuditActions.UserAdd }).Select(e => (e.Actor, e.Action)).Single());

        // The next start finds admin and neither generates nor logs a password again.
        _db.Reopen();
        Bootstrap(null).EnsureAdmin();

        Assert.Single(_log.Entries, e => e.Message.Contains(password, StringComparison.Ordinal));
        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("admin", password).Status);
    }

    [Fact]
    public void EnsureAdmin_TwoFreshDatabases_DifferentGeneratedPasswords()
    {
        Bootstrap(null).EnsureAdmin();
        using var other = new SecurityFixture();
        var otherLog = new RecordingLogger();
        new AdminBootstrap(other.Users, Auth(null), new Logger<AdminBootstrap>(otherLog)).EnsureAdmin();

        Assert.NotEqual(
            _log.Entries.Single(e => e.Level == LogLevel.Warning).Values["Password"],
            otherLog.Entries.Single(e => e.Level == LogLevel.Warning).Values["Password"]);
    }

    [Fact]
    public void EnsureAdmin_ConfiguredPassword_CreatesAdminWithItAndLogsNoSecret()
    {
        Bootstrap("configured-secret").EnsureAdmin();

        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("admin", "configured-secret").Status);
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains("configured-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void EnsureAdmin_ConfiguredPasswordLater_ReplacesTheGeneratedOne()
    {
        Bootstrap(null).EnsureAdmin();
        var generated = (string)_log.Entries.Single(e => e.Level == LogLevel.Warning).Values["Password"]!;

        Bootstrap("configured-secret").EnsureAdmin();

        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("admin", "configured-secret").Status);
        Assert.Equal(PasswordCheckStatus.Failed, _db.Users.VerifyPassword("admin", generated).Status);
    }

    [Fact]
    public void EnsureAdmin_ConfiguredPasswordUnchanged_KeepsTheStampSoSignInsSurviveRestarts()
    {
        Bootstrap("configured-secret").EnsureAdmin();
        var stamp = _db.Users.Find("admin")!.SecurityStamp;

        Bootstrap("configured-secret").EnsureAdmin();

        Assert.Equal(stamp, _db.Users.Find("admin")!.SecurityStamp);
    }

    [Fact]
    public void EnsureAdmin_ConfiguredPassword_LiftsALockout()
    {
        Bootstrap("configured-secret").EnsureAdmin();
        _db.Users.ResetPassword("admin", "someone-else-set", "admin");
        for (var i = 0; i < 5; i++)
        {
            _db.Users.VerifyPassword("admin", "guess");
        }

        Bootstrap("configured-secret").EnsureAdmin();

        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("admin", "configured-secret").Status);
    }

    [Fact]
    public void EnsureAdmin_AdminDemoted_MadeAdminAgain()
    {
        Bootstrap("configured-secret").EnsureAdmin();
        _db.Users.Add("other", UserRole.Admin, "long enough", "admin");
        _db.Users.ChangeRole("admin", UserRole.Viewer, "other");

        Bootstrap(null).EnsureAdmin();

        Assert.Equal(UserRole.Admin, _db.Users.Find("admin")!.Role);
    }

    [Fact]
    public void EnsureAdmin_ConfiguredPasswordTooShort_RefusesToStartWithMessage()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Bootstrap("short").EnsureAdmin());

        Assert.Equal("Auth:AdminPassword is not usable: The password must have at least 8 characters.", error.Message);
        Assert.Null(_db.Users.Find("admin"));
    }

    private AdminBootstrap Bootstrap(string? password) => new(_db.Users, Auth(password), new Logger<AdminBootstrap>(_log));

    private static IOptions<AuthOptions> Auth(string? password) => Options.Create(new AuthOptions { AdminPassword = password });

    private sealed class Logger<T>(RecordingLogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
