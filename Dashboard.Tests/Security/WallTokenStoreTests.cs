using Dashboard.Security;

namespace Dashboard.Tests.Security;

public sealed class WallTokenStoreTests : IDisposable
{
    private readonly SecurityFixture _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Create_UrlSafeSecretThatVerifies()
    {
        var created = _db.WallTokens.Create("lobby tv", "admin");

        Assert.True(created.IsSuccess, created.Error);
        var secret = created.Value.Secret;
        Assert.StartsWith(WallTokenStore.SecretPrefix, secret, StringComparison.Ordinal);
        Assert.Equal(secret, Uri.EscapeDataString(secret));
        Assert.Equal("lobby tv", _db.WallTokens.Verify(secret)!.Name);
    }

    [Fact]
    public void Revoke_TakesEffectOnTheNextCheck()
    {
        var secret = _db.WallTokens.Create("lobby tv", "admin").Value.Secret;

        Assert.True(_db.WallTokens.Revoke("lobby tv", "admin").IsSuccess);

        Assert.Null(_db.WallTokens.Verify(secret));
        Assert.False(_db.WallTokens.List().Single().IsActive(_db.Time.GetUtcNow()));
    }

    [Fact]
    public void Verify_ApiKeySecret_IsNotAWallToken()
    {
        var key = _db.ApiKeys.Create("backup", ApiKeyScope.Read, null, "admin").Value.Secret;

        Assert.Null(_db.WallTokens.Verify(key));
    }

    [Fact]
    public void Create_SameNameAsApiKey_Allowed()
    {
        _db.ApiKeys.Create("shared", ApiKeyScope.Read, null, "admin");

        Assert.True(_db.WallTokens.Create("shared", "admin").IsSuccess);
    }

    [Fact]
    public void CreateListRevoke_AuditedAndListed()
    {
        _db.WallTokens.Create("b", "admin");
        _db.WallTokens.Create("a", "admin");
        _db.WallTokens.Revoke("b", "root");

        Assert.Equal(["a", "b"], _db.WallTokens.List().Select(t => t.Name));
        Assert.Equal([AuditActions.WallTokenRevoke, AuditActions.WallTokenCreate, AuditActions.WallTokenCreate],
            _db.AuditEntries().Select(e => e.Action));
        Assert.Equal("No wall token named \"c\"", _db.WallTokens.Revoke("c", "root").Error);
    }

    [Fact]
    public void Verify_AfterReopen_StillWorks()
    {
        var secret = _db.WallTokens.Create("lobby tv", "admin").Value.Secret;

        _db.Reopen();

        Assert.NotNull(_db.WallTokens.Verify(secret));
    }
}
