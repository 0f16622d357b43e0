using System.Globalization;
using Dashboard.Core.Query;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// Dashboard users in SQLite, passwords hashed with ASP.NET Core's <see cref="PasswordHasher{TUser}"/>.
/// Every change is written to the audit log in the same transaction. User names are unique ignoring
/// ASCII case, so "Admin" cannot be added beside "admin".
/// </summary>
public sealed class UserStore
{
    public const int MaxFailedSignIns = SignInThrottle.FailuresBeforeWait;

    private readonly SecurityDatabase _database;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly PasswordHashing _hashing;
    private readonly SignInThrottle _throttle;

    public UserStore(SecurityDatabase database, AuditLog audit, TimeProvider time, IOptions<PasswordHasherOptions>? hasherOptions = null)
    {
        _database = database;
        _audit = audit;
        _time = time;
        _hashing = new PasswordHashing(hasherOptions);
        _throttle = new SignInThrottle(time);
    }

    /// <summary>The user with this name (ignoring ASCII case), or null.</summary>
    public UserInfo? Find(string name)
    {
        using var connection = _database.Open();
        return Read(connection, null, name)?.Info;
    }

    /// <summary>All users by name.</summary>
    public IReadOnlyList<UserInfo> List()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM users ORDER BY name;";
        using var reader = command.ExecuteReader();
        var users = new List<UserInfo>();
        while (reader.Read())
        {
            users.Add(ReadRow(reader).Info);
        }
        return users;
    }

    /// <summary>Adds a user; <paramref name="actor"/> is who did it, for the audit log.</summary>
    public Result<UserInfo> Add(string name, UserRole role, string password, string actor) =>
        _database.TryWrite(() => AddCore(name, role, password, actor));

    private Result<UserInfo> AddCore(string name, UserRole role, string password, string actor)
    {
        if ((NameRules.CheckUserName(name) ?? CheckRole(role) ?? PasswordRules.Check(password)) is { } error)
        {
            return Result<UserInfo>.Fail(error);
        }
        // Hashing is the slow part (PBKDF2): do it before taking the write lock.
        var hash = _hashing.Hash(password);
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        if (Read(connection, transaction, name) is not null)
        {
            return Result<UserInfo>.Fail($"A user named \"{name}\" already exists");
        }
        using var insert = Command(connection, transaction, """
            INSERT INTO users (name, role, password_hash, security_stamp, created)
            VALUES ($name, $role, $hash, $stamp, $now);
            """);
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$role", role.ToString());
        insert.Parameters.AddWithValue("$hash", hash);
        insert.Parameters.AddWithValue("$stamp", NewStamp());
        insert.Parameters.AddWithValue("$now", Now());
        insert.ExecuteNonQuery();
        _audit.Append(connection, transaction, actor, AuditActions.UserAdd, name, AuditLog.Parameters(("role", role.ToString())), "Added");
        var user = Read(connection, transaction, name)!.Info;
        transaction.Commit();
        return Result<UserInfo>.Ok(user);
    }

    /// <summary>Changes a user's role; the last Admin cannot be demoted.</summary>
    public Result<UserInfo> ChangeRole(string name, UserRole role, string actor) =>
        _database.TryWrite(() => ChangeRoleCore(name, role, actor));

    private Result<UserInfo> ChangeRoleCore(string name, UserRole role, string actor)
    {
        if (CheckRole(role) is { } error)
        {
            return Result<UserInfo>.Fail(error);
        }
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        if (Read(connection, transaction, name) is not { } row)
        {
            return NoUser(name);
        }
        if (row.Info.Role == role)
        {
            return Result<UserInfo>.Ok(row.Info);
        }
        if (row.Info.Role == UserRole.Admin && AdminCount(connection, transaction) == 1)
        {
            return Result<UserInfo>.Fail($"\"{row.Info.Name}\" is the last Admin: make another user Admin first");
        }
        using var update = Command(connection, transaction, "UPDATE users SET role = $role, security_stamp = $stamp WHERE id = $id;");
        update.Parameters.AddWithValue("$role", role.ToString());
        update.Parameters.AddWithValue("$stamp", NewStamp());
        update.Parameters.AddWithValue("$id", row.Info.Id);
        update.ExecuteNonQuery();
        _audit.Append(connection, transaction, actor, AuditActions.UserRole, row.Info.Name,
            AuditLog.Parameters(("from", row.Info.Role.ToString()), ("to", role.ToString())), "Changed");
        var user = Read(connection, transaction, name)!.Info;
        transaction.Commit();
        return Result<UserInfo>.Ok(user);
    }

    /// <summary>Sets a user's password (an admin's reset); also lifts a lockout.</summary>
    public Result<UserInfo> ResetPassword(string name, string newPassword, string actor) =>
        _database.TryWrite(() => ResetPasswordCore(name, newPassword, actor));

    private Result<UserInfo> ResetPasswordCore(string name, string newPassword, string actor)
    {
        if (PasswordRules.Check(newPassword) is { } error)
        {
            return Result<UserInfo>.Fail(error);
        }
        var hash = _hashing.Hash(newPassword);
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        if (Read(connection, transaction, name) is not { } row)
        {
            return NoUser(name);
        }
        SetPassword(connection, transaction, row.Info.Id, hash);
        _audit.Append(connection, transaction, actor, AuditActions.UserResetPassword, row.Info.Name, "", "Reset");
        var user = Read(connection, transaction, name)!.Info;
        transaction.Commit();
        // A new password: no address has to wait for this name any more.
        _throttle.Forget(row.Info.Name);
        return Result<UserInfo>.Ok(user);
    }

    /// <summary>
    /// A user changes their own password. A wrong current password counts as a failed sign-in, so this
    /// cannot be used to guess passwords past the lockout.
    /// </summary>
    public Result<UserInfo> ChangeOwnPassword(string name, string currentPassword, string newPassword) =>
        _database.TryWrite(() => ChangeOwnPasswordCore(name, currentPassword, newPassword));

    private Result<UserInfo> ChangeOwnPasswordCore(string name, string currentPassword, string newPassword)
    {
        if (PasswordRules.Check(newPassword) is { } error)
        {
            return Result<UserInfo>.Fail(error);
        }
        var check = VerifyPassword(name, currentPassword, AuditActions.UserChangePassword, "");
        if (check.Status != PasswordCheckStatus.Success)
        {
            return Result<UserInfo>.Fail(check.Status switch
            {
                PasswordCheckStatus.LockedOut => check.Message,
                PasswordCheckStatus.Unavailable => check.Problem!,
                _ => "The current password is wrong",
            });
        }
        var hash = _hashing.Hash(newPassword);
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        if (Read(connection, transaction, name) is not { } row)
        {
            return NoUser(name);
        }
        SetPassword(connection, transaction, row.Info.Id, hash);
        _audit.Append(connection, transaction, row.Info.Name, AuditActions.UserChangePassword, row.Info.Name, "", "Changed");
        var user = Read(connection, transaction, name)!.Info;
        transaction.Commit();
        // A new password: no address has to wait for this name any more.
        _throttle.Forget(row.Info.Name);
        return Result<UserInfo>.Ok(user);
    }

    /// <summary>Deletes a user; the last Admin cannot be deleted.</summary>
    public Result<UserInfo> Delete(string name, string actor) =>
        _database.TryWrite(() => DeleteCore(name, actor));

    private Result<UserInfo> DeleteCore(string name, string actor)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        if (Read(connection, transaction, name) is not { } row)
        {
            return NoUser(name);
        }
        if (row.Info.Role == UserRole.Admin && AdminCount(connection, transaction) == 1)
        {
            return Result<UserInfo>.Fail($"\"{row.Info.Name}\" is the last Admin and cannot be deleted");
        }
        using var delete = Command(connection, transaction, "DELETE FROM users WHERE id = $id;");
        delete.Parameters.AddWithValue("$id", row.Info.Id);
        delete.ExecuteNonQuery();
        _audit.Append(connection, transaction, actor, AuditActions.UserDelete, row.Info.Name, "", "Deleted");
        transaction.Commit();
        return Result<UserInfo>.Ok(row.Info);
    }

    /// <summary>
    /// Checks a sign-in from <paramref name="address"/> and writes it to the audit log. Failures are counted
    /// per name and address (<see cref="SignInThrottle"/>): after <see cref="MaxFailedSignIns"/> in a row that
    /// address waits, the same for known and unknown names, while the user signs in from elsewhere as usual.
    /// Known and unknown names cost the same work (one read, one password hash, one audit entry).
    /// </summary>
    public PasswordCheck VerifyPassword(string name, string password, string? address = null) =>
        VerifyPassword(name, password, AuditActions.SignIn, address ?? "");

    // Every attempt is written to the audit log, so a database that cannot take the entry (read-only,
    // locked) lets nobody in meanwhile, and says so: a sign-in that left no trace would be worse.
    private PasswordCheck VerifyPassword(string name, string password, string action, string address)
    {
        try
        {
            return _database.Write(() => VerifyPasswordCore(name, password, action, address));
        }
        catch (SecurityDatabaseException unavailable)
        {
            return new PasswordCheck(PasswordCheckStatus.Unavailable, null, null, unavailable.Message);
        }
    }

    private PasswordCheck VerifyPasswordCore(string name, string password, string action, string address)
    {
        name ??= "";
        password ??= "";
        // Only a well-formed name is written as the actor: anything else could pass for "key:..." or "system".
        var actor = NameRules.CheckUserName(name) is null ? name : AuditActors.Anonymous;
        var target = name.Length > NameRules.MaxLength ? name[..NameRules.MaxLength] : name;
        // Where the attempt came from (behind a proxy, the client's address from Http:KnownProxies' headers).
        var parameters = address.Length == 0 ? "" : AuditLog.Parameters(("address", address));
        if (_throttle.WaitingUntil(name, address) is { } waiting)
        {
            // Not even checked: a guess during the wait tells nothing.
            return Audited(new PasswordCheck(PasswordCheckStatus.LockedOut, null, waiting), "Refused: too many failures from this address");
        }
        UserRow? row;
        using (var connection = _database.Open())
        {
            row = Read(connection, null, name);
        }
        var tooLong = password.Length > PasswordRules.MaxLength;
        bool matches;
        var newHash = default(string);
        if (row is null || tooLong)
        {
            _hashing.VerifyDummy(tooLong ? "" : password);
            matches = false;
        }
        else
        {
            var (verified, rehash) = _hashing.Verify(row.PasswordHash, password);
            matches = verified;
            // Hash outside the transaction: PBKDF2 takes tens of milliseconds and would hold the write lock.
            newHash = matches && rehash ? _hashing.Hash(password) : null;
        }
        if (!matches)
        {
            return _throttle.Failed(name, address) is { } until
                ? Audited(Failed(), string.Create(CultureInfo.InvariantCulture, $"Failed; this address waits until {until.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}"))
                : Audited(Failed(), "Failed");
        }

        using var write = _database.Open();
        using var transaction = write.BeginTransaction();
        // Read again under the write lock: the user may have been deleted or given a new password meanwhile.
        if (Read(write, transaction, name) is not { } current || current.PasswordHash != row!.PasswordHash)
        {
            return Commit(Failed(), "Failed");
        }
        using (var success = Command(write, transaction, "UPDATE users SET password_hash = coalesce($hash, password_hash) WHERE id = $id;"))
        {
            success.Parameters.AddWithValue("$hash", (object?)newHash ?? DBNull.Value);
            success.Parameters.AddWithValue("$id", current.Info.Id);
            success.ExecuteNonQuery();
        }
        _throttle.Succeeded(name, address);
        var user = Read(write, transaction, name)!.Info;
        return Commit(new PasswordCheck(PasswordCheckStatus.Success, user, null), "Success");

        PasswordCheck Commit(PasswordCheck check, string result)
        {
            // A password change writes its own "Changed" entry once done; its successful check needs none.
            if (action == AuditActions.SignIn || check.Status != PasswordCheckStatus.Success)
            {
                _audit.Append(write, transaction, actor, action, target, parameters, result);
            }
            transaction.Commit();
            return check;
        }

        PasswordCheck Audited(PasswordCheck check, string result)
        {
            _audit.Append(actor, action, target, parameters, result);
            return check;
        }

        static PasswordCheck Failed() => new(PasswordCheckStatus.Failed, null, null);
    }

    /// <summary>Whether the password is the user's, without counting a failure or writing the audit log (for start-up checks).</summary>
    internal bool HasPassword(string name, string password)
    {
        using var connection = _database.Open();
        return Read(connection, null, name) is { } row && _hashing.Verify(row.PasswordHash, password).Matches;
    }

    // locked_until and failed_count are no longer used (sign-in waits are per address, in SignInThrottle).
    private const string Columns = "id, name, role, security_stamp, created, password_hash";

    private sealed record UserRow(UserInfo Info, string PasswordHash);

    private UserRow? Read(SqliteConnection connection, SqliteTransaction? transaction, string name)
    {
        using var command = Command(connection, transaction, $"SELECT {Columns} FROM users WHERE name = $name;");
        command.Parameters.AddWithValue("$name", name ?? "");
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadRow(reader) : null;
    }

    private UserRow ReadRow(SqliteDataReader reader)
    {
        // A role written by a newer build reads as the least privileged one rather than failing.
        var role = Enum.TryParse<UserRole>(reader.GetString(2), out var parsed) ? parsed : UserRole.Viewer;
        var name = reader.GetString(1);
        var info = new UserInfo(reader.GetInt64(0), name, role, reader.GetString(3),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), _throttle.LatestWait(name));
        return new UserRow(info, reader.GetString(5));
    }

    private void SetPassword(SqliteConnection connection, SqliteTransaction transaction, long id, string hash)
    {
        using var update = Command(connection, transaction,
            "UPDATE users SET password_hash = $hash, security_stamp = $stamp, failed_count = 0, locked_until = NULL WHERE id = $id;");
        update.Parameters.AddWithValue("$hash", hash);
        update.Parameters.AddWithValue("$stamp", NewStamp());
        update.Parameters.AddWithValue("$id", id);
        update.ExecuteNonQuery();
    }

    private static long AdminCount(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var count = Command(connection, transaction, "SELECT count(*) FROM users WHERE role = 'Admin';");
        return (long)count.ExecuteScalar()!;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static string? CheckRole(UserRole role) =>
        Enum.IsDefined(role) ? null : $"Unknown role {(int)role}: Viewer, Operator or Admin";

    private static Result<UserInfo> NoUser(string name) => Result<UserInfo>.Fail($"No user named \"{name}\"");

    private static string NewStamp() => Guid.NewGuid().ToString("N");

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
