using System.Security.Cryptography;
using System.Text;
using Dashboard.Hosting;
using Dashboard.Security;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Dashboard.Api;

/// <summary>
/// Who called the API: the key's scope, the actor the audit log names, and <c>StoredId</c> for keys made on
/// the admin page (revocable), null for configured ones.
/// </summary>
internal sealed record ApiCaller(ApiKeyScope Scope, string Actor, long? StoredId = null);

/// <summary>
/// API keys from configuration (<c>Api:Keys:N:Key</c>, <c>Api:Keys:N:Scope</c>: <see cref="ApiOptions"/>) and those created in the UI
/// (<see cref="ApiKeyStore"/>), presented the ways VerneMQ accepts them: as the Basic-auth user name
/// (password ignored) or in an <c>x-api-key</c> header.
/// </summary>
internal sealed class ApiKeys
{
    public const string HeaderName = "x-api-key";

    // SHA-256 of each key: hashes all have one length, so comparing them leaks nothing about a key's length.
    private readonly List<(byte[] KeyHash, ApiKeyScope Scope, string Actor)> _keys = [];
    private readonly ApiKeyStore _store;

    public ApiKeys(IOptions<ApiOptions> api, ApiKeyStore store)
    {
        _store = store;
        foreach (var configured in api.Value.Keys)
        {
            _keys.Add((SHA256.HashData(Encoding.UTF8.GetBytes(configured.Key)), configured.Scope, AuditActors.ConfigKey(configured.Index)));
        }
    }

    /// <summary>The caller the request's key names, or null when it presents no valid key.</summary>
    public ApiCaller? Authorize(HttpRequest request)
    {
        var presented = Presented(request);
        return presented is null ? null : Authorize(presented);
    }

    /// <summary>The caller <paramref name="presented"/> names, for a key given some other way (a SignalR access token).</summary>
    public ApiCaller? Authorize(string presented)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        ApiCaller? caller = null;
        // Compare with every key in constant time so the answer's timing says nothing about near misses.
        foreach (var (key, keyScope, actor) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(key, bytes) && (caller is null || keyScope > caller.Scope))
            {
                caller = new ApiCaller(keyScope, actor);
            }
        }
        // A stored key is looked up by its hash on every request, so a revocation applies to the next one.
        return caller ?? (_store.Verify(presented) is { } stored ? new ApiCaller(stored.Scope, stored.Actor, stored.Id) : null);
    }

    /// <summary>Whether the request presents an API key in any way the hub accepts one (it may still be wrong).</summary>
    public static bool IsPresented(HttpRequest request) =>
        Presented(request) is not null || request.Query.ContainsKey("access_token");

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers[HeaderName] is [{ Length: > 0 } headerKey, ..])
        {
            return headerKey;
        }
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        const string basic = "Basic ";
        if (!authorization.StartsWith(basic, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var buffer = new byte[authorization.Length];
        if (!Convert.TryFromBase64String(authorization[basic.Length..].Trim(), buffer, out var length))
        {
            return null;
        }
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? decoded : decoded[..colon];
        return user.Length == 0 ? null : user;
    }
}
