using Dashboard.Security;
using Dashboard.Tests.Core.Auth;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Security;

/// <summary>
/// A real SQLite database in a temporary folder, the stores on it and a clock the test moves. Password
/// hashing uses few PBKDF2 iterations so lockout tests stay fast; one test checks the real default.
/// </summary>
internal sealed class SecurityFixture : IDisposable
{
    private readonly TempDirectory _folder = new();

    public SecurityFixture()
    {
        Database = new SecurityDatabase(DataPath);
        Audit = new AuditLog(Database, Time);
        Users = new UserStore(Database, Audit, Time, FastHashing);
        ApiKeys = new ApiKeyStore(Database, Audit, Time);
        WallTokens = new WallTokenStore(Database, Audit, Time);
    }

    public static IOptions<PasswordHasherOptions> FastHashing { get; } = Options.Create(new PasswordHasherOptions { IterationCount = 1_000 });

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public string DataPath => _folder.File("data");

    public SecurityDatabase Database { get; private set; }

    public AuditLog Audit { get; private set; }

    public UserStore Users { get; private set; }

    public ApiKeyStore ApiKeys { get; private set; }

    public WallTokenStore WallTokens { get; private set; }

    /// <summary>Drops every pooled connection and opens the file again, as a restarted app would.</summary>
    public void Reopen()
    {
        Database.Dispose();
        Database = new SecurityDatabase(DataPath);
        Audit = new AuditLog(Database, Time);
        Users = new UserStore(Database, Audit, Time, FastHashing);
        ApiKeys = new ApiKeyStore(Database, Audit, Time);
        WallTokens = new WallTokenStore(Database, Audit, Time);
    }

    /// <summary>The audit log's entries, newest first.</summary>
    public IReadOnlyList<AuditEntry> AuditEntries(AuditQuery? query = null) => Audit.Query(query ?? new AuditQuery()).Value.Entries;

    public void Dispose()
    {
        Database.Dispose();
        _folder.Dispose();
    }
}
