using Dashboard.Core.Actions;
using Dashboard.Security;
using Dashboard.Tests.Components;
using Microsoft.Data.Sqlite;

namespace Dashboard.Tests.Security;

/// <summary>
/// The security database locked by another program (its own connection holding <c>BEGIN EXCLUSIVE</c>):
/// every write says so in words within the busy timeout, nothing is done that could not be audited, and
/// all works again once the lock is gone.
/// </summary>
public sealed class LockedDatabaseTests : IDisposable
{
    private readonly SecurityFixture _db = new();

    public void Dispose() => _db.Dispose();

    private SqliteConnection Lock()
    {
        var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _db.Database.FilePath, Pooling = false }.ToString());
        other.Open();
        using var begin = other.CreateCommand();
        begin.CommandText = "BEGIN EXCLUSIVE;";
        begin.ExecuteNonQuery();
        return other;
    }

    [Fact]
    public async Task Locked_SignInUserAdminAndDisconnect_SayWhy_NothingDone_ThenWorkAgain()
    {
        Assert.True(_db.Users.Add("alice", UserRole.Operator, "correct horse", "admin").IsSuccess);
        var broker = new RecordingSessionControl();
        var control = new AuditedSessionControl(broker, _db.Audit, new ApiActor());
        var locked = $"The dashboard's database {_db.Database.FilePath} is locked by another program";

        using (Lock())
        {
            var check = _db.Users.VerifyPassword("alice", "correct horse");
            Assert.Equal(PasswordCheckStatus.Unavailable, check.Status);
            Assert.StartsWith("Sign-in is not possible right now: " + locked, check.Message, StringComparison.Ordinal);
            Assert.Null(check.User);

            var added = _db.Users.Add("bob", UserRole.Viewer, "another password", "admin");
            Assert.StartsWith(locked, added.Error, StringComparison.Ordinal);
            Assert.StartsWith(locked, _db.ApiKeys.Create("ops", ApiKeyScope.Read, null, "admin").Error, StringComparison.Ordinal);

            var refused = await Assert.ThrowsAsync<SecurityDatabaseException>(() =>
                control.DisconnectAsync(new DisconnectRequest { ClientId = "sensor" }, TestContext.Current.CancellationToken));
            Assert.StartsWith(locked, refused.Message, StringComparison.Ordinal);
            Assert.Empty(broker.Disconnects);
            Assert.StartsWith(locked, _db.Database.WriteProblem(), StringComparison.Ordinal);
        }

        Assert.Null(_db.Database.WriteProblem());
        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("alice", "correct horse").Status);
        Assert.True(_db.Users.Add("bob", UserRole.Viewer, "another password", "admin").IsSuccess);
        await control.DisconnectAsync(new DisconnectRequest { ClientId = "sensor" }, TestContext.Current.CancellationToken);
        Assert.Single(broker.Disconnects);
        // What was refused left no trace; what went through did.
        Assert.Equal(["session.disconnect", "user.add", "sign-in", "user.add"], _db.AuditEntries().Select(e => e.Action));
    }

    private sealed class ApiActor : IActorAccessor
    {
        public Task<string> GetActorAsync() => Task.FromResult("key:ops");

        public Task<Actor> GetIdentityAsync() =>
            Task.FromResult(new Actor("key:ops", Dashboard.Api.ApiKeyAuthentication.Principal(new Dashboard.Api.ApiCaller(ApiKeyScope.Mgmt, "key:ops"))));
    }
}
