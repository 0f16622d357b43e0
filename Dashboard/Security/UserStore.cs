using System.Globalization;
using Dashboard.Core.Query;
using Microsoft.AspNetCore.Identity;
using Dashboard.Security.Data;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// Dashboard users in ASP.NET Core Identity's tables (<see cref="SecurityDbContext"/>), passwords hashed with
/// Identity's <see cref="PasswordHasher{TUser}"/>, one Identity role each. Every change is written to the audit
/// log in the same transaction. User names are unique ignoring ASCII case (<see cref="DashboardLookupNormalizer"/>),
/// so "Admin" cannot be added beside "admin". Sign-in failures wait per name and address
/// (<see cref="SignInThrottle"/>), not by Identity's per-user lockout, which would let anyone lock a user out.
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
        using var db = _database.CreateContext();
        return Read(db, name)?.Info;
    }

    /// <summary>All users by name.</summary>
    public IReadOnlyList<UserInfo> List()
    {
        using var db = _database.CreateContext();
        return [.. Rows(db).OrderBy(row => row.User.NormalizedUserName).AsEnumerable().Select(row => Info(row.User, Role(row.RoleName)))];
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
        using var db = _database.CreateContext();
        using var transaction = db.Database.BeginTransaction();
        if (Read(db, name) is not null)
        {
            return Result<UserInfo>.Fail($"A user named \"{name}\" already exists");
        }
        var user = new DashboardUser
        {
            UserName = name,
            NormalizedUserName = DashboardLookupNormalizer.Normalize(name),
            PasswordHash = hash,
            SecurityStamp = NewStamp(),
            Created = Now(),
            LockoutEnabled = false,
        };
        db.Users.Add(user);
        db.SaveChanges();
        db.UserRoles.Add(new IdentityUserRole<long> { UserId = user.Id, RoleId = SecurityDbContext.RoleId(role) });
        _audit.Add(db, actor, AuditActions.UserAdd, name, AuditLog.Parameters(("role", role.ToString())), "Added");
        db.SaveChanges();
        transaction.Commit();
        return Result<UserInfo>.Ok(Info(user, role));
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
        using var db = _database.CreateContext();
        using var transaction = db.Database.BeginTransaction();
        if (Read(db, name) is not { } row)
        {
            return NoUser(name);
        }
        if (row.Info.Role == role)
        {
            return Result<UserInfo>.Ok(row.Info);
        }
        if (row.Info.Role == UserRole.Admin && AdminCount(db) == 1)
        {
            return Result<UserInfo>.Fail($"\"{row.Info.Name}\" is the last Admin: make another user Admin first");
        }
        // Identity's user-role rows have the pair as their key: the old row goes, a new one comes.
        db.UserRoles.RemoveRange(db.UserRoles.Where(r => r.UserId == row.User.Id));
        db.UserRoles.Add(new IdentityUserRole<long> { UserId = row.User.Id, RoleId = SecurityDbContext.RoleId(role) });
        Restamp(row.User);
        _audit.Add(db, actor, AuditActions.UserRole, row.Info.Name,
            AuditLog.Parameters(("from", row.Info.Role.ToString()), ("to", role.ToString())), "Changed");
        db.SaveChanges();
        transaction.Commit();
        return Result<UserInfo>.Ok(Info(row.User, role));
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
        using var db = _database.CreateContext();
        using var transaction = db.Database.BeginTransaction();
        if (Read(db, name) is not { } row)
        {
            return NoUser(name);
        }
        SetPassword(row.User, hash);
        _audit.Add(db, actor, AuditActions.UserResetPassword, row.Info.Name, "", "Reset");
        db.SaveChanges();
        transaction.Commit();
        var user = Info(row.User, row.Info.Role);
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
        using var db = _database.CreateContext();
        using var transaction = db.Database.BeginTransaction();
        if (Read(db, name) is not { } row)
        {
            return NoUser(name);
        }
        SetPassword(row.User, hash);
        _audit.Add(db, row.Info.Name, AuditActions.UserChangePassword, row.Info.Name, "", "Changed");
        db.SaveChanges();
        transaction.Commit();
        var user = Info(row.User, row.Info.Role);
        // A new password: no address has to wait for this name any more.
        _throttle.Forget(row.Info.Name);
        return Result<UserInfo>.Ok(user);
    }

    /// <summary>Deletes a user; the last Admin cannot be deleted.</summary>
    public Result<UserInfo> Delete(string name, string actor) =>
        _database.TryWrite(() => DeleteCore(name, actor));

    private Result<UserInfo> DeleteCore(string name, string actor)
    {
        using var db = _database.CreateContext();
        using var transaction = db.Database.BeginTransaction();
        if (Read(db, name) is not { } row)
        {
            return NoUser(name);
        }
        if (row.Info.Role == UserRole.Admin && AdminCount(db) == 1)
        {
            return Result<UserInfo>.Fail($"\"{row.Info.Name}\" is the last Admin and cannot be deleted");
        }
        // Identity's schema deletes the user's role rows with it (a cascading foreign key).
        db.Users.Remove(row.User);
        _audit.Add(db, actor, AuditActions.UserDelete, row.Info.Name, "", "Deleted");
        db.SaveChanges();
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
        using (var read = _database.CreateContext())
        {
            row = Read(read, name);
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
            var (verified, rehash) = _hashing.Verify(row.User.PasswordHash ?? "", password);
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

        using var write = _database.CreateContext();
        using var transaction = write.Database.BeginTransaction();
        // Read again under the write lock: the user may have been deleted or given a new password meanwhile.
        if (Read(write, name) is not { } current || current.User.PasswordHash != row!.User.PasswordHash)
        {
            return Commit(Failed(), "Failed");
        }
        if (newHash is not null)
        {
            // A stronger hash of the same password: the stamp stays, so no sign-in ends.
            current.User.PasswordHash = newHash;
        }
        _throttle.Succeeded(name, address);
        return Commit(new PasswordCheck(PasswordCheckStatus.Success, current.Info, null), "Success");

        PasswordCheck Commit(PasswordCheck check, string result)
        {
            // A password change writes its own "Changed" entry once done; its successful check needs none.
            if (action == AuditActions.SignIn || check.Status != PasswordCheckStatus.Success)
            {
                _audit.Add(write, actor, action, target, parameters, result);
            }
            write.SaveChanges();
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
        using var db = _database.CreateContext();
        return Read(db, name) is { } row && _hashing.Verify(row.User.PasswordHash ?? "", password).Matches;
    }

    // The tracked Identity user (for changes) and what the pages see of it.
    private sealed record UserRow(DashboardUser User, UserInfo Info);

    // Member-initialised, not a constructor: EF translates a filter on the projection's members only then.
    private sealed class UserAndRole
    {
        public required DashboardUser User { get; init; }

        public required string? RoleName { get; init; }
    }

    // Each user has one Identity role; one query reads both.
    private static IQueryable<UserAndRole> Rows(SecurityDbContext db) =>
        db.Users.Select(user => new UserAndRole
        {
            User = user,
            RoleName = db.UserRoles
                .Where(link => link.UserId == user.Id)
                .Join(db.Roles, link => link.RoleId, role => role.Id, (link, role) => role.Name)
                .FirstOrDefault(),
        });

    private UserRow? Read(SecurityDbContext db, string name)
    {
        var normalized = DashboardLookupNormalizer.Normalize(name ?? "");
        return Rows(db).FirstOrDefault(row => row.User.NormalizedUserName == normalized) is { } found
            ? new UserRow(found.User, Info(found.User, Role(found.RoleName)))
            : null;
    }

    // A role written by a newer build reads as the least privileged one rather than failing.
    private static UserRole Role(string? name) =>
        Enum.TryParse<UserRole>(name, out var parsed) && Enum.IsDefined(parsed) ? parsed : UserRole.Viewer;

    private UserInfo Info(DashboardUser user, UserRole role) =>
        new(user.Id, user.UserName!, role, user.SecurityStamp!, user.Created, _throttle.LatestWait(user.UserName!));

    private static void SetPassword(DashboardUser user, string hash)
    {
        user.PasswordHash = hash;
        user.AccessFailedCount = 0;
        user.LockoutEnd = null;
        Restamp(user);
    }

    // A new security stamp ends every sign-in made before (PrincipalValidator); the concurrency stamp is Identity's row version.
    private static void Restamp(DashboardUser user)
    {
        user.SecurityStamp = NewStamp();
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
    }

    private static int AdminCount(SecurityDbContext db) =>
        db.UserRoles.Count(link => link.RoleId == SecurityDbContext.RoleId(UserRole.Admin));

    private static string? CheckRole(UserRole role) =>
        Enum.IsDefined(role) ? null : $"Unknown role {(int)role}: Viewer, Operator or Admin";

    private static Result<UserInfo> NoUser(string name) => Result<UserInfo>.Fail($"No user named \"{name}\"");

    private static string NewStamp() => Guid.NewGuid().ToString("N");

    // Stored as Unix milliseconds: the value returned is the one read back later.
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
}
