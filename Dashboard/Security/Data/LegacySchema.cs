using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Dashboard.Security.Data;

/// <summary>
/// Imports a <c>dashboard.db</c> written before Identity and EF Core migrations (docs/security.md, "The
/// security database"): such a file has a <c>schema_version</c> table and no <c>__EFMigrationsHistory</c>.
/// Its tables are renamed aside, the migrations create the new schema, the rows are copied (users keep
/// their password hashes, which are Identity's format already, their security stamps and their roles;
/// keys, tokens, blocks, ended sign-ins and the audit log keep their ids), and the old tables are dropped,
/// all in one transaction: a crash half-way leaves the old database as it was, for the next start.
/// </summary>
internal static class LegacySchema
{
    public const string VersionTable = "schema_version";

    /// <summary>The last version the hand-written migrations reached; a newer one is not ours to import.</summary>
    public const int LastVersion = 3;

    // Copied as they are: the EF model keeps these tables' names and columns.
    private static readonly (string Table, string Columns)[] Copied =
    [
        ("credentials", "id, kind, name, scope, display_prefix, secret_hash, created, created_by, expires, revoked, revoked_by"),
        ("audit", "id, time, actor, action, target, parameters, result"),
        ("ended_sign_ins", "id, until"),
        ("client_blocks", "id, kind, pattern, reason, expires, created, created_by"),
    ];

    public static void Import(SqliteConnection connection, SecurityDbContext context, string filePath)
    {
        using var transaction = connection.BeginTransaction();
        var version = Scalar(connection, transaction, $"SELECT version FROM {VersionTable};") is long stored ? stored : 0;
        if (version > LastVersion)
        {
            throw new Hosting.SettingException(
                $"{filePath} has schema version {version}, but this build knows only up to {LastVersion}: it was written by a newer dashboard (Data:Path).");
        }
        // Versions 1 and 2 lack the later tables; what is missing is simply not copied.
        var present = new List<string>();
        foreach (var table in Copied.Select(c => c.Table).Append("users"))
        {
            if (Scalar(connection, transaction, $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}';") is 1L)
            {
                Execute(connection, transaction, $"ALTER TABLE {table} RENAME TO legacy_{table};");
                present.Add(table);
            }
        }
        // The old indexes move with their renamed tables (no name clashes with EF's IX_...) and are dropped with them.
        var script = context.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.NoTransactions);
        Execute(connection, transaction, script);

        context.Database.UseTransaction(transaction);
        if (present.Contains("users"))
        {
            ImportUsers(connection, transaction, context);
        }
        foreach (var (table, columns) in Copied.Where(c => present.Contains(c.Table)))
        {
            Execute(connection, transaction, $"INSERT INTO {table} ({columns}) SELECT {columns} FROM legacy_{table};");
            // AUTOINCREMENT ids are never reused (a block's id is named in the audit log): the new table goes on
            // from the old one's high-water mark, not from its highest remaining row.
            Execute(connection, transaction, $"""
                INSERT INTO sqlite_sequence (name, seq) SELECT '{table}', 0
                    WHERE EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'legacy_{table}')
                    AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{table}');
                UPDATE sqlite_sequence SET seq = max(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'legacy_{table}'))
                    WHERE name = '{table}' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'legacy_{table}');
                """);
        }
        foreach (var table in present)
        {
            Execute(connection, transaction, $"DROP TABLE legacy_{table};");
        }
        Execute(connection, transaction, $"DROP TABLE {VersionTable};");
        transaction.Commit();
    }

    private static void ImportUsers(SqliteConnection connection, SqliteTransaction transaction, SecurityDbContext context)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT id, name, role, password_hash, security_stamp, created FROM legacy_users ORDER BY id;";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var name = reader.GetString(1);
                var user = new DashboardUser
                {
                    Id = reader.GetInt64(0),
                    UserName = name,
                    NormalizedUserName = DashboardLookupNormalizer.Normalize(name),
                    PasswordHash = reader.GetString(3),
                    SecurityStamp = reader.GetString(4),
                    Created = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                    // Sign-in waits are per name and address (SignInThrottle), not Identity's per-user lockout.
                    LockoutEnabled = false,
                };
                // A role this build does not know reads as the least privileged one, as the old store read it.
                var role = Enum.TryParse<UserRole>(reader.GetString(2), out var parsed) && Enum.IsDefined(parsed) ? parsed : UserRole.Viewer;
                context.Users.Add(user);
                context.UserRoles.Add(new IdentityUserRole<long> { UserId = user.Id, RoleId = SecurityDbContext.RoleId(role) });
            }
        }
        context.SaveChanges();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
