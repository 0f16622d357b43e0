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
        Assert.Equal((long)SecurityDatabase.SchemaVersion, Scalar(connection, "SELECT version FROM schema_version;"));
    }

    [Fact]
    public void Constructor_ExistingDatabase_KeepsDataAndVersion()
    {
        using var fixture = new SecurityFixture();
        fixture.Users.Add("alice", UserRole.Viewer, "password-1", "test");

        fixture.Reopen();

        Assert.NotNull(fixture.Users.Find("alice"));
        using var connection = fixture.Database.Open();
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM schema_version;"));
    }

    [Fact]
    public void Constructor_DatabaseFromNewerBuild_RefusesWithClearMessage()
    {
        using var fixture = new SecurityFixture();
        using (var connection = fixture.Database.Open())
        {
            Scalar(connection, "UPDATE schema_version SET version = 99;");
        }
        fixture.Database.Dispose();

        var error = Assert.Throws<InvalidOperationException>(() => new SecurityDatabase(fixture.DataPath));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
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
