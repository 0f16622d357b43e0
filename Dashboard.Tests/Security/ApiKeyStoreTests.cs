using Dashboard.Security;

namespace Dashboard.Tests.Security;

public sealed class ApiKeyStoreTests : IDisposable
{
    private readonly SecurityFixture _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Create_ReturnsSecretOnceAndStoresOnlyItsHash()
    {
        var created = _db.ApiKeys.Create("backup", ApiKeyScope.Mgmt, null, "admin");

        Assert.True(created.IsSuccess, created.Error);
        var secret = created.Value.Secret;
        Assert.StartsWith(ApiKeyStore.SecretPrefix, secret, StringComparison.Ordinal);
        Assert.Equal(ApiKeyStore.SecretPrefix.Length + 43, secret.Length);
        Assert.Equal(secret[..(ApiKeyStore.SecretPrefix.Length + 6)], created.Value.Key.Prefix);
        var bytes = File.ReadAllBytes(_db.Database.FilePath).Concat(ReadIfExists(_db.Database.FilePath + "-wal")).ToArray();
        Assert.False(Contains(bytes, System.Text.Encoding.UTF8.GetBytes(secret[ApiKeyStore.SecretPrefix.Length..])), "the secret is in the database file");
    }

    [Fact]
    public void Create_TwoKeys_DifferentSecrets() =>
        Assert.NotEqual(_db.ApiKeys.Create("a", ApiKeyScope.Read, null, "admin").Value.Secret, _db.ApiKeys.Create("b", ApiKeyScope.Read, null, "admin").Value.Secret);

    [Theory]
    [InlineData(ApiKeyScope.Mgmt)]
    [InlineData(ApiKeyScope.Read)]
    public void Verify_CreatedKey_ReturnsNameAndScope(ApiKeyScope scope)
    {
        var secret = _db.ApiKeys.Create("backup", scope, null, "admin").Value.Secret;

        var key = _db.ApiKeys.Verify(secret);

        Assert.Equal(("backup", scope, "key:backup"), (key!.Name, key.Scope, key.Actor));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("mqdk_")]
    [InlineData("mqdk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("some-config-key")]
    public void Verify_UnknownSecret_ReturnsNull(string? presented)
    {
        _db.ApiKeys.Create("backup", ApiKeyScope.Mgmt, null, "admin");

        Assert.Null(_db.ApiKeys.Verify(presented));
    }

    [Fact]
    public void Verify_PastExpiry_ReturnsNull()
    {
        var secret = _db.ApiKeys.Create("temp", ApiKeyScope.Read, _db.Time.GetUtcNow().AddHours(1), "admin").Value.Secret;
        Assert.NotNull(_db.ApiKeys.Verify(secret));

        _db.Time.Advance(TimeSpan.FromHours(1));

        Assert.Null(_db.ApiKeys.Verify(secret));
        Assert.False(_db.ApiKeys.List().Single().IsActive(_db.Time.GetUtcNow()));
    }

    [Fact]
    public void Create_ExpiryInThePast_FailsWithMessage() =>
        Assert.Equal("The expiry 2025-03-01 11:00 UTC is not in the future",
            _db.ApiKeys.Create("temp", ApiKeyScope.Read, _db.Time.GetUtcNow().AddHours(-1), "admin").Error);

    [Theory]
    [InlineData("", "The API key's name is empty")]
    [InlineData("a\nb", "The API key's name contains a control character")]
    public void Create_BadName_FailsWithMessage(string name, string message) =>
        Assert.Equal(message, _db.ApiKeys.Create(name, ApiKeyScope.Read, null, "admin").Error);

    [Fact]
    public void Create_UnknownScope_FailsWithMessage() =>
        Assert.Equal("Unknown scope 9: mgmt or read", _db.ApiKeys.Create("x", (ApiKeyScope)9, null, "admin").Error);

    [Fact]
    public void Revoke_TakesEffectOnTheNextCheck()
    {
        var secret = _db.ApiKeys.Create("backup", ApiKeyScope.Mgmt, null, "admin").Value.Secret;
        Assert.NotNull(_db.ApiKeys.Verify(secret));

        var revoked = _db.ApiKeys.Revoke("backup", "root");

        Assert.Equal(("root", _db.Time.GetUtcNow()), (revoked.Value.RevokedBy, revoked.Value.Revoked));
        Assert.Null(_db.ApiKeys.Verify(secret));
        Assert.Equal("The API key \"backup\" is already revoked", _db.ApiKeys.Revoke("backup", "root").Error);
        Assert.Equal("No API key named \"other\"", _db.ApiKeys.Revoke("other", "root").Error);
    }

    [Fact]
    public void Create_NameOfRevokedKey_Refused()
    {
        _db.ApiKeys.Create("backup", ApiKeyScope.Mgmt, null, "admin");
        _db.ApiKeys.Revoke("backup", "admin");

        Assert.Equal("An API key named \"backup\" already exists (revoked ones keep their names)",
            _db.ApiKeys.Create("backup", ApiKeyScope.Mgmt, null, "admin").Error);
    }

    [Fact]
    public void List_ShowsKeysWithoutSecrets()
    {
        var expiry = _db.Time.GetUtcNow().AddDays(30);
        _db.ApiKeys.Create("b", ApiKeyScope.Read, expiry, "admin");
        _db.ApiKeys.Create("a", ApiKeyScope.Mgmt, null, "root");

        var keys = _db.ApiKeys.List();

        Assert.Equal([("a", ApiKeyScope.Mgmt, (DateTimeOffset?)null, "root"), ("b", ApiKeyScope.Read, expiry, "admin")],
            keys.Select(k => (k.Name, k.Scope, k.Expires, k.CreatedBy)));
    }

    [Fact]
    public void CreateAndRevoke_Audited()
    {
        var expiry = new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero);
        _db.ApiKeys.Create("backup", ApiKeyScope.Read, expiry, "admin");
        _db.ApiKeys.Revoke("backup", "root");

        var entries = _db.AuditEntries();

        Assert.Equal(
            [("root", AuditActions.ApiKeyRevoke, "backup", "", "Revoked"),
             ("admin", AuditActions.ApiKeyCreate, "backup", """{"scope":"read","expires":"2025-04-01T00:00:00+00:00"}""", "Created")],
            entries.Select(e => (e.Actor, e.Action, e.Target, e.Parameters, e.Result)));
    }

    [Fact]
    public void Verify_WallTokenSecret_IsNotAnApiKey()
    {
        var token = _db.WallTokens.Create("tv", "admin").Value.Secret;

        Assert.Null(_db.ApiKeys.Verify(token));
    }

    private static byte[] ReadIfExists(string path) => File.Exists(path) ? File.ReadAllBytes(path) : [];

    private static bool Contains(byte[] haystack, byte[] needle) =>
        haystack.AsSpan().IndexOf(needle) >= 0;
}
