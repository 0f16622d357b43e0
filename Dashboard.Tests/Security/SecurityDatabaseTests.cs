using Dashboard.Security;
using Dashboard.Tests.Core.Auth;
using Microsoft.Data.Sqlite;

namespace Dashboard.Tests.Security;

public sealed class SecurityDatabaseTests
{
    [Fact]
    public void Constructor_MissingFolder_CreatesFolderAndDatabaseInWalMode()
    {
        using var folder = new TempDirectory();
        var dataPath = Path.Combine(folder.Path, "nested", "data");

        using var database = new SecurityDatabase(dataPath);

        Assert.Equal(Path.Combine(dataPath, "dashboard.db"), database.FilePath);
        Assert.True(File.Exists(database.FilePath));
        using var connection = database.Open();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        // 2 = FULL: every commit is fsynced before it returns.
        Assert.Equal(2L, Scalar(connection, "PRAGMA synchronous;"));
        // Identity's users, roles and their links beside the dashboard's own tables, made by EF Core migrations.
        Assert.Equal(7L, Scalar(connection, """
            SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN
            ('AspNetUsers', 'AspNetRoles', 'AspNetUserRoles', 'credentials', 'audit', 'ended_sign_ins', 'client_blocks');
            """));
        Assert.Equal("Admin,Operator,Viewer", Scalar(connection, "SELECT group_concat(Name, ',') FROM (SELECT Name FROM AspNetRoles ORDER BY Name);"));
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version';"));
        Assert.True((long)Scalar(connection, "SELECT count(*) FROM __EFMigrationsHistory;")! >= 1);
    }

    [Fact]
    public void Constructor_ExistingDatabase_KeepsDataAndVersion()
    {
        using var fixture = new SecurityFixture();
        fixture.Users.Add("alice", UserRole.Viewer, "password-1", "test");
        object? Migrations()
        {
            using var connection = fixture.Database.Open();
            return Scalar(connection, "SELECT group_concat(MigrationId) FROM __EFMigrationsHistory;");
        }
        var before = Migrations();

        fixture.Reopen();

        Assert.NotNull(fixture.Users.Find("alice"));
        Assert.Equal(before, Migrations());
    }

    [Fact]
    public void Constructor_DatabaseFromNewerBuild_RefusesWithClearMessage()
    {
        using var fixture = new SecurityFixture();
        using (var connection = fixture.Database.Open())
        {
            Scalar(connection, "INSERT INTO __EFMigrationsHistory (MigrationId, ProductVersion) VALUES ('29991231000000_FromANewerBuild', '99.0.0');");
        }
        fixture.Database.Dispose();

        var error = Assert.Throws<Dashboard.Hosting.SettingException>(() => new SecurityDatabase(fixture.DataPath));

        Assert.Contains("29991231000000_FromANewerBuild", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer dashboard", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OldSchemaFromNewerBuild_RefusesWithClearMessageAndChangesNothing()
    {
        using var folder = new TempDirectory();
        var file = Path.Combine(folder.Path, "dashboard.db");
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            Scalar(connection, "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (4);");
        }

        var error = Assert.Throws<Dashboard.Hosting.SettingException>(() => new SecurityDatabase(folder.Path));

        Assert.Contains("schema version 4", error.Message, StringComparison.Ordinal);
        using var check = new SqliteConnection($"Data Source={file};Pooling=False");
        check.Open();
        Assert.Equal("schema_version", Scalar(check, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table';"));
    }

    [Fact]
    public async Task Append_ManyThreadsAtOnce_AllEntriesWritten()
    {
        using var fixture = new SecurityFixture();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 25; i++)
            {
                fixture.Audit.Append($"actor{thread}", AuditActions.SessionDisconnect, $"client{i}", "", "Done");
            }
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(200, fixture.AuditEntries(new AuditQuery { Limit = 1000 }).Count);
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
