using Dashboard.Core.Query;

namespace Dashboard.Security;

/// <summary>What an API key may do: <c>read</c> shows sessions, <c>mgmt</c> also acts on them.</summary>
public enum ApiKeyScope
{
    Read,
    Mgmt,
}

/// <summary>
/// A stored API key, without its secret. <c>Prefix</c> is the secret's first characters (e.g.
/// <c>mqdk_Ab3dE9</c>), to recognise it in a list; <c>CreatedBy</c> and <c>RevokedBy</c> are audit actors.
/// </summary>
public sealed record ApiKeyInfo(
    long Id, string Name, ApiKeyScope Scope, string Prefix, DateTimeOffset Created, string CreatedBy,
    DateTimeOffset? Expires, DateTimeOffset? Revoked, string? RevokedBy)
{
    /// <summary>The actor the audit log names for requests made with this key.</summary>
    public string Actor => AuditActors.ApiKey(Name);

    public bool IsActive(DateTimeOffset now) => Revoked is null && (Expires is not { } expires || expires > now);
}

/// <summary>A key just created: <see cref="Secret"/> is shown this once and never stored.</summary>
public sealed record CreatedApiKey(ApiKeyInfo Key, string Secret);

/// <summary>API keys created in the UI, stored hashed; they work beside the ones from <c>Api:Keys</c>.</summary>
public sealed class ApiKeyStore
{
    /// <summary>Every stored key starts with this, so a leaked one is recognisable (secret scanners) and config keys skip the lookup.</summary>
    public const string SecretPrefix = "mqdk_";

    private readonly Credentials _credentials;

    public ApiKeyStore(SecurityDatabase database, AuditLog audit, TimeProvider time) =>
        _credentials = new Credentials(database, audit, time, "api-key", SecretPrefix, "API key",
            AuditActions.ApiKeyCreate, AuditActions.ApiKeyRevoke);

    /// <summary>VerneMQ's name for a scope: <c>mgmt</c> or <c>read</c>.</summary>
    public static string ScopeText(ApiKeyScope scope) => scope == ApiKeyScope.Mgmt ? "mgmt" : "read";

    /// <summary>Creates a key; the result carries its secret, which cannot be read again.</summary>
    public Result<CreatedApiKey> Create(string name, ApiKeyScope scope, DateTimeOffset? expires, string actor)
    {
        if (!Enum.IsDefined(scope))
        {
            return Result<CreatedApiKey>.Fail($"Unknown scope {(int)scope}: mgmt or read");
        }
        var created = _credentials.Create(name, ScopeText(scope), expires, actor);
        return created.IsSuccess
            ? Result<CreatedApiKey>.Ok(new CreatedApiKey(ToInfo(created.Value.Credential), created.Value.Secret))
            : Result<CreatedApiKey>.Fail(created.Error!);
    }

    /// <summary>All keys by name, revoked and expired ones included.</summary>
    public IReadOnlyList<ApiKeyInfo> List() => [.. _credentials.List().Select(ToInfo)];

    /// <summary>Revokes a key; the next request that presents it is refused.</summary>
    public Result<ApiKeyInfo> Revoke(string name, string actor)
    {
        var revoked = _credentials.Revoke(name, actor);
        return revoked.IsSuccess ? Result<ApiKeyInfo>.Ok(ToInfo(revoked.Value)) : Result<ApiKeyInfo>.Fail(revoked.Error!);
    }

    /// <summary>Whether the key with this id still works (not revoked, not expired).</summary>
    public bool IsActive(long id) => _credentials.IsActive(id);

    /// <summary>The key a presented secret belongs to, or null when unknown, revoked or expired.</summary>
    public ApiKeyInfo? Verify(string? presented) => _credentials.Verify(presented) is { } credential ? ToInfo(credential) : null;

    private static ApiKeyInfo ToInfo(Credential c) => new(
        c.Id, c.Name, c.Scope == "mgmt" ? ApiKeyScope.Mgmt : ApiKeyScope.Read, c.Prefix, c.Created, c.CreatedBy, c.Expires, c.Revoked, c.RevokedBy);
}
