using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dashboard.Core.Query;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Data.Sqlite;

namespace Dashboard.Security;

/// <summary>
/// A stored API key or wall token, without its secret. <c>Scope</c> is <c>mgmt</c> or <c>read</c> for API
/// keys, null for wall tokens; <c>Prefix</c> is the secret's first characters, for telling keys apart in a
/// list (not enough to use it).
/// </summary>
internal sealed record Credential(
    long Id, string Name, string? Scope, string Prefix, DateTimeOffset Created, string CreatedBy,
    DateTimeOffset? Expires, DateTimeOffset? Revoked, string? RevokedBy);

/// <summary>
/// Random secrets shown once and stored as SHA-256 hashes, in the <c>credentials</c> table, one
/// <paramref name="kind"/> per store. A salted slow hash is for guessable passwords; these are 256
/// random bits, so a plain hash is as strong and lets a presented secret be found by an index lookup.
/// Each check reads the table, so a revocation applies to the very next request without any cache.
/// </summary>
internal sealed class Credentials(SecurityDatabase database, AuditLog audit, TimeProvider time,
    string kind, string secretPrefix, string noun, string createAction, string revokeAction)
{
    private const int SecretBytes = 32;
    private const int DisplayLength = 6;

    // base64url of 32 bytes is 43 characters; anything much longer is not one of ours.
    private const int MaxPresentedLength = 128;

    public Result<(Credential Credential, string Secret)> Create(string name, string? scope, DateTimeOffset? expires, string actor) =>
        database.TryWrite(() => CreateCore(name, scope, expires, actor));

    private Result<(Credential Credential, string Secret)> CreateCore(string name, string? scope, DateTimeOffset? expires, string actor)
    {
        if (NameRules.Check(name, $"The {noun}'s name") is { } error)
        {
            return Result<(Credential, string)>.Fail(error);
        }
        if (expires is { } expiry && expiry <= time.GetUtcNow())
        {
            return Result<(Credential, string)>.Fail(string.Create(CultureInfo.InvariantCulture, $"The expiry {expiry.UtcDateTime:yyyy-MM-dd HH:mm} UTC is not in the future"));
        }
        var random = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(SecretBytes));
        var secret = secretPrefix + random;
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        if (Read(connection, transaction, name) is not null)
        {
            // Names stay taken after revocation so that an actor in the audit log names one key only.
            return Result<(Credential, string)>.Fail($"An {noun} named \"{name}\" already exists (revoked ones keep their names)");
        }
        using var insert = Command(connection, transaction, """
            INSERT INTO credentials (kind, name, scope, display_prefix, secret_hash, created, created_by, expires)
            VALUES ($kind, $name, $scope, $prefix, $hash, $now, $actor, $expires);
            """);
        insert.Parameters.AddWithValue("$kind", kind);
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$scope", (object?)scope ?? DBNull.Value);
        insert.Parameters.AddWithValue("$prefix", secretPrefix + random[..DisplayLength]);
        insert.Parameters.AddWithValue("$hash", Hash(secret));
        insert.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$actor", actor);
        insert.Parameters.AddWithValue("$expires", (object?)expires?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        insert.ExecuteNonQuery();
        var parameters = scope is null
            ? AuditLog.Parameters(("expires", expires))
            : AuditLog.Parameters(("scope", scope), ("expires", expires));
        audit.Append(connection, transaction, actor, createAction, name, parameters, "Created");
        var created = Read(connection, transaction, name)!;
        transaction.Commit();
        return Result<(Credential, string)>.Ok((created, secret));
    }

    public IReadOnlyList<Credential> List()
    {
        using var connection = database.Open();
        using var command = Command(connection, null, $"SELECT {Columns} FROM credentials WHERE kind = $kind ORDER BY name;");
        command.Parameters.AddWithValue("$kind", kind);
        using var reader = command.ExecuteReader();
        var list = new List<Credential>();
        while (reader.Read())
        {
            list.Add(ReadRow(reader));
        }
        return list;
    }

    public Result<Credential> Revoke(string name, string actor) =>
        database.TryWrite(() => RevokeCore(name, actor));

    private Result<Credential> RevokeCore(string name, string actor)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        if (Read(connection, transaction, name) is not { } found)
        {
            return Result<Credential>.Fail($"No {noun} named \"{name}\"");
        }
        if (found.Revoked is not null)
        {
            return Result<Credential>.Fail($"The {noun} \"{found.Name}\" is already revoked");
        }
        using var update = Command(connection, transaction, "UPDATE credentials SET revoked = $now, revoked_by = $actor WHERE id = $id;");
        update.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        update.Parameters.AddWithValue("$actor", actor);
        update.Parameters.AddWithValue("$id", found.Id);
        update.ExecuteNonQuery();
        audit.Append(connection, transaction, actor, revokeAction, found.Name, "", "Revoked");
        var revoked = Read(connection, transaction, name)!;
        transaction.Commit();
        return Result<Credential>.Ok(revoked);
    }

    /// <summary>The credential a presented secret belongs to, if it is neither revoked nor expired.</summary>
    public Credential? Verify(string? presented)
    {
        if (presented is null || presented.Length > MaxPresentedLength || !presented.StartsWith(secretPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        using var connection = database.Open();
        using var command = Command(connection, null, $"SELECT {Columns} FROM credentials WHERE secret_hash = $hash AND kind = $kind;");
        command.Parameters.AddWithValue("$hash", Hash(presented));
        command.Parameters.AddWithValue("$kind", kind);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var credential = ReadRow(reader);
        return credential.Revoked is null && (credential.Expires is not { } expires || expires > time.GetUtcNow()) ? credential : null;
    }

    /// <summary>Whether the credential with this id is neither revoked nor expired: one indexed read.</summary>
    public bool IsActive(long id)
    {
        using var connection = database.Open();
        using var command = Command(connection, null, $"SELECT {Columns} FROM credentials WHERE id = $id AND kind = $kind;");
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$kind", kind);
        using var reader = command.ExecuteReader();
        return reader.Read() && ReadRow(reader) is { Revoked: null } credential
            && (credential.Expires is not { } expires || expires > time.GetUtcNow());
    }

    private const string Columns = "id, name, scope, display_prefix, created, created_by, expires, revoked, revoked_by";

    private Credential? Read(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        using var command = Command(connection, transaction, $"SELECT {Columns} FROM credentials WHERE kind = $kind AND name = $name;");
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$name", name ?? "");
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadRow(reader) : null;
    }

    private static Credential ReadRow(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
        Time(reader, 4)!.Value, reader.GetString(5), Time(reader, 6), Time(reader, 7), reader.IsDBNull(8) ? null : reader.GetString(8));

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
