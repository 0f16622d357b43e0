using System.Security.Claims;
using Dashboard.Api;
using Dashboard.Core.Blocks;
using Dashboard.Security;
using Dashboard.Tests.Components;
using Dashboard.Tests.Core;

namespace Dashboard.Tests.Security;

/// <summary>Who may add and remove blocks, what is audited, and which connected sessions a new block disconnects.</summary>
public sealed class ClientBlockingTests : IDisposable
{
    private readonly SecurityFixture _db = new();
    private readonly ClientBlockList _enforced = new();

    public void Dispose() => _db.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private ClientBlocking Blocking(Actor actor, RecordingSessionControl control, Dashboard.Core.Store.SessionStore? sessions = null) => new(
        new ClientBlockStore(_db.Database, _db.Audit, _db.Time, _enforced),
        sessions ?? TestStores.Create().Store,
        control,
        new FixedActor(actor),
        _db.Audit,
        new PrincipalValidator(_db.Users, _db.WallTokens, _db.ApiKeys, new EndedSignIns(_db.Database, _db.Time)));

    private IEnumerable<AuditEntry> BlockEntries() => _db.AuditEntries().Where(e => e.Action.StartsWith("block.", StringComparison.Ordinal));

    private ClaimsPrincipal SignedIn(string name, UserRole role)
    {
        Assert.True(_db.Users.Add(name, role, "a long enough password", "test").IsSuccess);
        return DashboardClaims.ForUser(_db.Users.Find(name)!);
    }

    [Fact]
    public async Task Add_Viewer_RefusedAuditedAndNothingBlocked()
    {
        var control = new RecordingSessionControl();
        var blocking = Blocking(new Actor("vera", SignedIn("vera", UserRole.Viewer)), control);

        var added = await blocking.AddAsync("client_id", "dev-1", "r", null, Cancel);

        Assert.Equal("Not allowed: your role Viewer cannot block", added.Error);
        Assert.Empty(blocking.List());
        Assert.Empty(_enforced.Rules);
        var entry = BlockEntries().Single();
        Assert.Equal(("vera", "block.add", "dev-1", "Refused: role Viewer"), (entry.Actor, entry.Action, entry.Target, entry.Result));
    }

    [Fact]
    public async Task Add_Operator_StoredEnforcedAuditedAndMatchingOnlineSessionsDisconnected()
    {
        var (sessions, _) = TestStores.Create();
        sessions.Connect("sensor-1", 50001);
        sessions.Connect("sensor-2", 50002);
        sessions.Connect("other", 50003);
        sessions.Connect("sensor-offline", 50004);
        sessions.Disconnect("sensor-offline");
        var control = new RecordingSessionControl();
        var blocking = Blocking(new Actor("olga", SignedIn("olga", UserRole.Operator)), control, sessions);

        var added = await blocking.AddAsync("client_id_pattern", "sensor-*", "noisy", _db.Time.GetUtcNow().AddHours(1), Cancel);

        Assert.True(added.IsSuccess, added.Error);
        Assert.Equal(["sensor-1", "sensor-2"], control.Disconnects.Select(d => d.ClientId).Order());
        Assert.All(control.Disconnects, d => Assert.False(d.Cleanup));
        Assert.Equal("Blocked the client id pattern sensor-* until 2025-03-01 13:00:00 UTC; disconnected 2 clients", added.Value.Message);
        Assert.NotNull(_enforced.Match("sensor-9", null, null, _db.Time.GetUtcNow()));
        var entry = BlockEntries().Single();
        Assert.Equal(("olga", "block.add", "sensor-*", "Blocked the client id pattern sensor-* until 2025-03-01 13:00:00 UTC"),
            (entry.Actor, entry.Action, entry.Target, entry.Result));

        // Stored: a new store on the same database enforces it again (as after a restart).
        var again = new ClientBlockList();
        _ = new ClientBlockStore(_db.Database, _db.Audit, _db.Time, again);
        Assert.Equal(added.Value.Block.Id, again.Match("sensor-9", null, null, _db.Time.GetUtcNow())?.Id);

        var removed = await blocking.RemoveAsync(added.Value.Block.Id);
        Assert.True(removed.IsSuccess);
        Assert.Null(_enforced.Match("sensor-9", null, null, _db.Time.GetUtcNow()));
        Assert.Equal(["block.remove", "block.add"], BlockEntries().Select(e => e.Action));
    }

    [Fact]
    public async Task Remove_ByApiKey_UnknownIdSaysSoAndChangesNothing()
    {
        var blocking = Blocking(new Actor("key:ops", ApiKeyAuthentication.Principal(new ApiCaller(ApiKeyScope.Mgmt, "key:ops"))), new RecordingSessionControl());

        var removed = await blocking.RemoveAsync(42);

        Assert.Equal("No block 42: it was removed already, or never existed", removed.Error);
        Assert.Empty(BlockEntries());
    }

    private sealed class FixedActor(Actor actor) : IActorAccessor
    {
        public Task<string> GetActorAsync() => Task.FromResult(actor.Name);

        public Task<Actor> GetIdentityAsync() => Task.FromResult(actor);
    }
}
