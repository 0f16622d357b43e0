using System.Security.Claims;
using Dashboard.Api;
using Dashboard.Core.Actions;
using Dashboard.Security;
using Dashboard.Tests.Components;

namespace Dashboard.Tests.Security;

public sealed class AuditedSessionControlTests : IDisposable
{
    private readonly SecurityFixture _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task DisconnectAsync_WritesEntryWithActorBeforeReturning()
    {
        var control = new AuditedSessionControl(new RecordingSessionControl(), _db.Audit, new FixedActor("alice"));

        var result = await control.DisconnectAsync(new DisconnectRequest { ClientId = "client1", Cleanup = true }, TestContext.Current.CancellationToken);

        Assert.True(result.CleanedUp);
        _db.Reopen();
        var entry = _db.AuditEntries().Single();
        Assert.Equal(("alice", AuditActions.SessionDisconnect, "client1", """{"mountpoint":"","cleanup":true}""", "Disconnected client1 and cleaned up its session"),
            (entry.Actor, entry.Action, entry.Target, entry.Parameters, entry.Result));
    }

    [Fact]
    public async Task ReauthorizeAsync_WritesEntryWithResult()
    {
        var control = new AuditedSessionControl(new RecordingSessionControl(), _db.Audit, new FixedActor("key:ops"));

        await control.ReauthorizeAsync(new ReauthorizeRequest { User = "u", ClientId = "client1" }, TestContext.Current.CancellationToken);

        var entry = _db.AuditEntries().Single();
        Assert.Equal(("key:ops", AuditActions.SessionReauthorize, "client1", """{"username":"u","mountpoint":""}""", "Removed plant/secret"),
            (entry.Actor, entry.Action, entry.Target, entry.Parameters, entry.Result));
    }

    [Fact]
    public async Task DisconnectAsync_NoSession_WrittenToo()
    {
        var control = new AuditedSessionControl(new NotFoundControl(), _db.Audit, new FixedActor("alice"));

        await control.DisconnectAsync(new DisconnectRequest { ClientId = "ghost" }, TestContext.Current.CancellationToken);

        Assert.Equal("No session ghost", _db.AuditEntries(new AuditQuery { Target = "ghost" }).Single().Result);
    }

    [Fact]
    public async Task DisconnectAsync_InnerThrows_WritesErrorAndRethrows()
    {
        var control = new AuditedSessionControl(new ThrowingControl(), _db.Audit, new FixedActor("alice"));

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            control.DisconnectAsync(new DisconnectRequest { ClientId = "client1" }, TestContext.Current.CancellationToken));

        Assert.Equal("Error: broker gone", _db.AuditEntries().Single().Result);
    }

    [Theory]
    [InlineData("Viewer")]
    [InlineData(Policies.WallRole)]
    public async Task DisconnectAsync_RoleBelowOperator_RefusedAndAudited(string role)
    {
        var inner = new RecordingSessionControl();
        var control = new AuditedSessionControl(inner, _db.Audit, new FixedActor("vera", Principal("vera", role)));

        var refused = await Assert.ThrowsAsync<ActionNotAllowedException>(() =>
            control.DisconnectAsync(new DisconnectRequest { ClientId = "client1" }, TestContext.Current.CancellationToken));

        Assert.Equal($"Not allowed: your role {role} cannot disconnect", refused.Message);
        Assert.Empty(inner.Disconnects);
        var entry = _db.AuditEntries().Single();
        Assert.Equal(("vera", AuditActions.SessionDisconnect, "client1", $"Refused: role {role}"), (entry.Actor, entry.Action, entry.Target, entry.Result));
    }

    [Fact]
    public async Task DisconnectAsync_OperatorWhoseSignInWentStale_RefusedAndAudited()
    {
        // Demoted a moment ago: the open page still holds the Operator's sign-in, the database does not.
        var inner = new RecordingSessionControl();
        var control = new AuditedSessionControl(inner, _db.Audit, new FixedActor("olga", Principal("olga", "Operator")), _ => false);

        var refused = await Assert.ThrowsAsync<ActionNotAllowedException>(() =>
            control.DisconnectAsync(new DisconnectRequest { ClientId = "client1" }, TestContext.Current.CancellationToken));

        Assert.Equal("Not allowed: your sign-in is no longer valid; sign in again to disconnect", refused.Message);
        Assert.Empty(inner.Disconnects);
        Assert.Equal("Refused: sign-in no longer valid", _db.AuditEntries().Single().Result);
    }

    [Fact]
    public async Task DisconnectAsync_OperatorStillCurrent_Acts()
    {
        var inner = new RecordingSessionControl();
        var control = new AuditedSessionControl(inner, _db.Audit, new FixedActor("olga", Principal("olga", "Operator")), _ => true);

        await control.DisconnectAsync(new DisconnectRequest { ClientId = "client1" }, TestContext.Current.CancellationToken);

        Assert.Single(inner.Disconnects);
    }

    [Fact]
    public async Task ReauthorizeAsync_Viewer_RefusedAndAudited()
    {
        var inner = new RecordingSessionControl();
        var control = new AuditedSessionControl(inner, _db.Audit, new FixedActor("vera", Principal("vera", "Viewer")));

        var refused = await Assert.ThrowsAsync<ActionNotAllowedException>(() =>
            control.ReauthorizeAsync(new ReauthorizeRequest { User = "u", ClientId = "client1" }, TestContext.Current.CancellationToken));

        Assert.Equal("Not allowed: your role Viewer cannot reauthorize", refused.Message);
        Assert.Empty(inner.Reauthorizations);
        Assert.Equal("Refused: role Viewer", _db.AuditEntries(new AuditQuery { Action = AuditActions.SessionReauthorize }).Single().Result);
    }

    [Fact]
    public async Task DisconnectAsync_NobodySignedIn_Refused()
    {
        var control = new AuditedSessionControl(new RecordingSessionControl(), _db.Audit,
            new FixedActor(AuditActors.Anonymous, new ClaimsPrincipal(new ClaimsIdentity())));

        var refused = await Assert.ThrowsAsync<ActionNotAllowedException>(() =>
            control.DisconnectAsync(new DisconnectRequest { ClientId = "client1" }, TestContext.Current.CancellationToken));

        Assert.Equal("Not allowed: sign in to disconnect", refused.Message);
        Assert.Equal("Refused: not signed in", _db.AuditEntries().Single().Result);
    }

    [Theory]
    [InlineData("Operator")]
    [InlineData("Admin")]
    public async Task DisconnectAsync_OperatorOrAdmin_Acts(string role)
    {
        var inner = new RecordingSessionControl();
        var control = new AuditedSessionControl(inner, _db.Audit, new FixedActor("olga", Principal("olga", role)));

        await control.DisconnectAsync(new DisconnectRequest { ClientId = "client1" }, TestContext.Current.CancellationToken);

        Assert.Single(inner.Disconnects);
        Assert.Equal("olga", _db.AuditEntries().Single().Actor);
    }

    [Fact]
    public async Task DisconnectAsync_ReadScopeApiKey_RefusedAndAudited()
    {
        // The API's policy refuses a read key first; the action does not rely on that.
        var inner = new RecordingSessionControl();
        var control = new AuditedSessionControl(inner, _db.Audit,
            new FixedActor("key:viewer", ApiKeyAuthentication.Principal(new ApiCaller(ApiKeyScope.Read, "key:viewer"))));

        var refused = await Assert.ThrowsAsync<ActionNotAllowedException>(() =>
            control.DisconnectAsync(new DisconnectRequest { ClientId = "client1" }, TestContext.Current.CancellationToken));

        Assert.Equal("Not allowed: your API key scope read cannot disconnect", refused.Message);
        Assert.Empty(inner.Disconnects);
        Assert.Equal(("key:viewer", "Refused: API key scope read"), (_db.AuditEntries().Single().Actor, _db.AuditEntries().Single().Result));
    }

    private static ClaimsPrincipal Principal(string name, string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "test"));

    // Without a principal given: a configured API key of the mgmt scope, as its scheme signs it in.
    private sealed class FixedActor(string name, ClaimsPrincipal? user = null) : IActorAccessor
    {
        public Task<string> GetActorAsync() => Task.FromResult(name);

        public Task<Actor> GetIdentityAsync() =>
            Task.FromResult(new Actor(name, user ?? ApiKeyAuthentication.Principal(new ApiCaller(ApiKeyScope.Mgmt, name))));
    }

    private sealed class NotFoundControl : ISessionControl
    {
        public Task<DisconnectResult> DisconnectAsync(DisconnectRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new DisconnectResult(request.ClientId, false, false, false));

        public Task<ReauthorizeResult> ReauthorizeAsync(ReauthorizeRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ReauthorizeResult(request.ClientId, false, [], []));
    }

    private sealed class ThrowingControl : ISessionControl
    {
        public Task<DisconnectResult> DisconnectAsync(DisconnectRequest request, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("broker gone");

        public Task<ReauthorizeResult> ReauthorizeAsync(ReauthorizeRequest request, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("broker gone");
    }
}
