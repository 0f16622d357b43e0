using Dashboard.Core.Query;

namespace Dashboard.Security;

/// <summary>A wall-screen token, without its secret.</summary>
public sealed record WallTokenInfo(
    long Id, string Name, string Prefix, DateTimeOffset Created, string CreatedBy,
    DateTimeOffset? Expires, DateTimeOffset? Revoked, string? RevokedBy)
{
    public bool IsActive(DateTimeOffset now) => Revoked is null && (Expires is not { } expires || expires > now);
}

/// <summary>A token just created: <see cref="Secret"/> is shown this once and never stored.</summary>
public sealed record CreatedWallToken(WallTokenInfo Token, string Secret);

/// <summary>
/// Tokens for <c>/wall?token=...</c>, so a TV shows the wall without a user account. They grant the
/// wall and its hub feed and nothing else; that is for whoever checks them to enforce.
/// </summary>
public sealed class WallTokenStore
{
    /// <summary>Every token starts with this; it is URL-safe, as is the rest (base64url).</summary>
    public const string SecretPrefix = "mqdw_";

    private readonly Credentials _credentials;

    public WallTokenStore(SecurityDatabase database, AuditLog audit, TimeProvider time) =>
        _credentials = new Credentials(database, audit, time, "wall-token", SecretPrefix, "wall token",
            AuditActions.WallTokenCreate, AuditActions.WallTokenRevoke);

    /// <summary>Creates a token; the result carries its secret, which cannot be read again.</summary>
    public Result<CreatedWallToken> Create(string name, string actor, DateTimeOffset? expires = null)
    {
        var created = _credentials.Create(name, null, expires, actor);
        return created.IsSuccess
            ? Result<CreatedWallToken>.Ok(new CreatedWallToken(ToInfo(created.Value.Credential), created.Value.Secret))
            : Result<CreatedWallToken>.Fail(created.Error!);
    }

    /// <summary>All tokens by name, revoked ones included.</summary>
    public IReadOnlyList<WallTokenInfo> List() => [.. _credentials.List().Select(ToInfo)];

    /// <summary>Revokes a token; the next check of it fails.</summary>
    public Result<WallTokenInfo> Revoke(string name, string actor)
    {
        var revoked = _credentials.Revoke(name, actor);
        return revoked.IsSuccess ? Result<WallTokenInfo>.Ok(ToInfo(revoked.Value)) : Result<WallTokenInfo>.Fail(revoked.Error!);
    }

    /// <summary>Whether the token with this id still opens the wall (not revoked, not expired).</summary>
    public bool IsActive(long id) => _credentials.IsActive(id);

    /// <summary>The token a presented secret belongs to, or null when unknown, revoked or expired.</summary>
    public WallTokenInfo? Verify(string? presented) => _credentials.Verify(presented) is { } credential ? ToInfo(credential) : null;

    private static WallTokenInfo ToInfo(Credential c) => new(c.Id, c.Name, c.Prefix, c.Created, c.CreatedBy, c.Expires, c.Revoked, c.RevokedBy);
}
