using Dashboard.Core.Blocks;
using Microsoft.Data.Sqlite;
using Dashboard.Security;

namespace Dashboard.Tests.Security;

/// <summary>
/// A change to users, keys, tokens or blocks and its audit entry are one transaction (docs/security.md,
/// "The audit log"): when the audit table refuses the entry (a trigger here), the change is not made either.
/// </summary>
public sealed class AuditTransactionTests : IDisposable
{
    private const string Password = "a long enough password";
    private const string Refusal = "audit entry refused by the test";

    private readonly SecurityFixture _db = new();
    private readonly ClientBlockList _enforced = new();
    private readonly ClientBlockStore _blocks;

    public AuditTransactionTests() => _blocks = new ClientBlockStore(_db.Database, _db.Audit, _db.Time, _enforced);

    public void Dispose() => _db.Dispose();

    public static TheoryData<string> Changes =>
    [
        "user.add", "user.role", "user.reset-password", "user.change-password", "user.delete",
        "apikey.create", "apikey.revoke", "walltoken.create", "walltoken.revoke", "block.add", "block.remove",
    ];

    [Theory]
    [MemberData(nameof(Changes))]
    public void Change_AuditEntryRefused_NothingChanged(string change)
    {
        Assert.True(_db.Users.Add("root", UserRole.Admin, Password, "admin").IsSuccess);
        Assert.True(_db.Users.Add("olga", UserRole.Operator, Password, "admin").IsSuccess);
        Assert.True(_db.ApiKeys.Create("ci", ApiKeyScope.Read, null, "admin").IsSuccess);
        Assert.True(_db.WallTokens.Create("lobby", "admin").IsSuccess);
        var block = _blocks.Add("client_id", "sensor-1", "noisy", null, "admin").Value;
        var before = State();
        RefuseAuditEntries();

        var error = Record.Exception(() => Act(change, block.Id));

        // Not a failure the database describes to people (read-only, locked): it surfaces as it is.
        Assert.NotNull(error);
        Assert.Contains(Refusal, (error.InnerException ?? error).Message, StringComparison.Ordinal);
        Assert.Equal(before, State());
        Assert.NotNull(_enforced.Match("sensor-1", null, null, _db.Time.GetUtcNow()));
        Assert.Null(_enforced.Match("sensor-2", null, null, _db.Time.GetUtcNow()));
    }

    private void Act(string change, long blockId)
    {
        _ = change switch
        {
            "user.add" => _db.Users.Add("newcomer", UserRole.Viewer, Password, "admin").Error,
            "user.role" => _db.Users.ChangeRole("olga", UserRole.Viewer, "admin").Error,
            "user.reset-password" => _db.Users.ResetPassword("olga", "another long password", "admin").Error,
            "user.change-password" => _db.Users.ChangeOwnPassword("olga", Password, "another long password").Error,
            "user.delete" => _db.Users.Delete("olga", "admin").Error,
            "apikey.create" => _db.ApiKeys.Create("backup", ApiKeyScope.Mgmt, null, "admin").Error,
            "apikey.revoke" => _db.ApiKeys.Revoke("ci", "admin").Error,
            "walltoken.create" => _db.WallTokens.Create("hall", "admin").Error,
            "walltoken.revoke" => _db.WallTokens.Revoke("lobby", "admin").Error,
            "block.add" => _blocks.Add("client_id", "sensor-2", "noisy", null, "admin").Error,
            "block.remove" => _blocks.Remove(blockId, "admin").Error,
            _ => throw new ArgumentOutOfRangeException(nameof(change), change, null),
        };
    }

    // Everything the changes above could touch, read back from the file, with the audit log's length.
    private string State() => string.Join("\n",
        [
            .. _db.Users.List().Select(u => $"user {u.Name} {u.Role} {u.SecurityStamp}"),
            .. _db.ApiKeys.List().Select(k => $"key {k.Name} {k.Revoked}"),
            .. _db.WallTokens.List().Select(t => $"token {t.Name} {t.Revoked}"),
            .. _blocks.List().Select(b => $"block {b.Id} {b.Pattern}"),
            $"audit {_db.AuditEntries(new AuditQuery { Limit = AuditQuery.MaxLimit }).Count}",
        ]);

    private void RefuseAuditEntries()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _db.Database.FilePath, Pooling = false }.ToString());
        connection.Open();
        using var trigger = connection.CreateCommand();
        trigger.CommandText = $"CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, '{Refusal}'); END;";
        trigger.ExecuteNonQuery();
    }
}
