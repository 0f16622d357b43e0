using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>ASP.NET Core's <see cref="PasswordHasher{TUser}"/> (PBKDF2), which ignores its user argument.</summary>
internal sealed class PasswordHashing
{
    private readonly PasswordHasher<PasswordHashing> _hasher;

    // Hashed once so that checking an unknown user costs as much as checking a wrong password and the
    // time taken does not reveal which user names exist.
    private readonly Lazy<string> _dummyHash;

    public PasswordHashing(IOptions<PasswordHasherOptions>? options)
    {
        _hasher = new PasswordHasher<PasswordHashing>(options);
        _dummyHash = new Lazy<string>(() => Hash(Guid.NewGuid().ToString()));
    }

    public string Hash(string password) => _hasher.HashPassword(this, password);

    /// <summary>Whether the password matches, and whether the hash should be replaced (older format or iteration count).</summary>
    public (bool Matches, bool Rehash) Verify(string hash, string password) => _hasher.VerifyHashedPassword(this, hash, password) switch
    {
        PasswordVerificationResult.Success => (true, false),
        PasswordVerificationResult.SuccessRehashNeeded => (true, true),
        _ => (false, false),
    };

    public void VerifyDummy(string password) => _hasher.VerifyHashedPassword(this, _dummyHash.Value, password);
}
