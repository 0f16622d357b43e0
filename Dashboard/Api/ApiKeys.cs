using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Dashboard.Api;

/// <summary>What an API key may do: <c>read</c> shows sessions, <c>mgmt</c> also acts on them.</summary>
internal enum ApiScope
{
    None,
    Read,
    Mgmt,
}

/// <summary>
/// API keys from configuration (<c>Api:Keys:N:Key</c>, <c>Api:Keys:N:Scope</c>), presented the ways
/// VerneMQ accepts them: as the Basic-auth user name (password ignored) or in an <c>x-api-key</c> header.
/// </summary>
internal sealed class ApiKeys
{
    public const string HeaderName = "x-api-key";

    private readonly List<(byte[] Key, ApiScope Scope)> _keys = [];

    public ApiKeys(IConfiguration configuration, ILogger<ApiKeys> logger)
    {
        foreach (var entry in configuration.GetSection("Api:Keys").GetChildren())
        {
            var key = entry["Key"];
            var scopeText = entry["Scope"];
            if (string.IsNullOrEmpty(key))
            {
                logger.LogWarning("Api:Keys:{Index} has no Key; ignored", entry.Key);
                continue;
            }
            // VerneMQ's api-key add defaults to the mgmt scope.
            ApiScope? scope = scopeText switch
            {
                null or "" or "mgmt" => ApiScope.Mgmt,
                "read" => ApiScope.Read,
                _ => null,
            };
            if (scope is null)
            {
                logger.LogWarning("Api:Keys:{Index} has scope \"{Scope}\"; only mgmt and read exist, so the key is ignored", entry.Key, scopeText);
                continue;
            }
            _keys.Add((Encoding.UTF8.GetBytes(key), scope.Value));
        }
    }

    /// <summary>The scope of the key the request presents, or <see cref="ApiScope.None"/>.</summary>
    public ApiScope Authorize(HttpRequest request)
    {
        var presented = Presented(request);
        return presented is null ? ApiScope.None : Authorize(presented);
    }

    /// <summary>The scope of <paramref name="presented"/>, a key given some other way (a SignalR access token).</summary>
    public ApiScope Authorize(string presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented);
        var scope = ApiScope.None;
        // Compare with every key in constant time so the answer's timing says nothing about near misses.
        foreach (var (key, keyScope) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(key, bytes) && keyScope > scope)
            {
                scope = keyScope;
            }
        }
        return scope;
    }

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
