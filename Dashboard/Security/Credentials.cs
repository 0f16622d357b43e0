using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dashboard.Core.Query;
using Microsoft.AspNetCore.WebUtilities;
using Dashboard.Security.Data;
using Microsoft.EntityFrameworkCore;

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
/// Random secrets shown once and stored as SHA-256 hashes, in the <c>credentials</c> table (<see cref="CredentialRow"/>), one
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
        using var db = database.CreateContext();
        using var transaction = db.Database.BeginTransaction();
        if (Read(db, name) is not null)
        {
            // Names stay taken after revocation so that an actor in the audit log names one key only.
            return Result<(Credential, string)>.Fail($"An {noun} named \"{name}\" already exists (revoked ones keep their names)");
        }
        var row = new CredentialRow
        {
            Kind = kind,
            Name = name,
            Scope = scope,
            DisplayPrefix = secretPrefix + random[..DisplayLength],
            SecretHash = Hash(secret),
            Created = Now(),
            CreatedBy = actor,
            Expires = expires is { } until ? DateTimeOffset.FromUnixTimeMilliseconds(until.ToUnixTimeMilliseconds()) : null,
        };
        db.Credentials.Add(row);
        var parameters = scope is null
            ? AuditLog.Parameters(("expires", expires))
            : AuditLog.Parameters(("scope", scope), ("expires", expires));
        audit.Add(db, actor, createAction, name, parameters, "Created");
        db.SaveChanges();
        transaction.Commit();
        return Result<(Credential, string)>.Ok((ToCredential(row), secret));
    }

    public IReadOnlyList<Credential> List()
    {
        using var db = database.CreateContext();
        return [.. db.Credentials.AsNoTracking().Where(c => c.Kind == kind).OrderBy(c => c.Name).AsEnumerable().Select(ToCredential)];
    }

    public Result<Credential> Revoke(string name, string actor) =>
        database.TryWrite(() => RevokeCore(name, actor));

    private Result<Credential> RevokeCore(string name, string actor)
    {
        using var db = database.CreateContext();
        using var transaction = db.Database.BeginTransaction();
        if (Read(db, name) is not { } found)
        {
            return Result<Credential>.Fail($"No {noun} named \"{name}\"");
        }
        if (found.Revoked is not null)
        {
            return Result<Credential>.Fail($"The {noun} \"{found.Name}\" is already revoked");
        }
        found.Revoked = Now();
        found.RevokedBy = actor;
        audit.Add(db, actor, revokeAction, found.Name, "", "Revoked");
        db.SaveChanges();
        transaction.Commit();
        return Result<Credential>.Ok(ToCredential(found));
    }

    /// <summary>The credential a presented secret belongs to, if it is neither revoked nor expired.</summary>
    public Credential? Verify(string? presented)
    {
        if (presented is null || presented.Length > MaxPresentedLength || !presented.StartsWith(secretPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var hash = Hash(presented);
        using var db = database.CreateContext();
        var found = db.Credentials.AsNoTracking().FirstOrDefault(c => c.SecretHash == hash && c.Kind == kind);
        return found is not null && IsActive(found) ? ToCredential(found) : null;
    }

    /// <summary>Whether the credential with this id is neither revoked nor expired: one indexed read.</summary>
    public bool IsActive(long id)
    {
        using var db = database.CreateContext();
        return db.Credentials.AsNoTracking().FirstOrDefault(c => c.Id == id && c.Kind == kind) is { } found && IsActive(found);
    }

    private bool IsActive(CredentialRow row) => row.Revoked is null && (row.Expires is not { } expires || expires > time.GetUtcNow());

    // The name column compares ignoring ASCII case (NOCASE), so "CI" finds "ci".
    private CredentialRow? Read(SecurityDbContext db, string name)
    {
        name ??= "";
        return db.Credentials.FirstOrDefault(c => c.Kind == kind && c.Name == name);
    }

    private static Credential ToCredential(CredentialRow row) => new(
        row.Id, row.Name, row.Scope, row.DisplayPrefix, row.Created, row.CreatedBy, row.Expires, row.Revoked, row.RevokedBy);

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    // Stored as Unix milliseconds: the value returned is the one read back later.
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
}
