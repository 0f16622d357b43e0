using System.Net;
using Dashboard.Core.Blocks;
using Dashboard.Security;
using Dashboard.Tests.Core.Auth;
using Dashboard.Tests.Hosting;
using Microsoft.Data.Sqlite;

namespace Dashboard.Tests.Security;

/// <summary>
/// A <c>dashboard.db</c> written before ASP.NET Core Identity and EF Core migrations (docs/security.md, "The
/// security database"), opened by this build: users keep their passwords, roles and security stamps; API keys,
/// wall tokens, client blocks, ended sign-ins and the audit log are all there.
/// </summary>
public sealed class LegacyDatabaseTests
{
    // Fixtures/dashboard-schema3.sql is `sqlite3 .dump` of a database made by main's stores at b1370ec (schema
    // version 3, default password hashing). These passwords and secrets were given to it, or printed by it, then.
    private const string AdminPassword = "old-admin-password-1";
    private const string OperatorPassword = "old-operator-password-2";
    private const string ViewerPassword = "old-viewer-password-3";
    private const string MgmtKey = "mqdk_IF7oOjiKyClY-9RZ4xM0sbJeFDQ9es7J8Rt1b10WG3k";
    private const string ReadKey = "mqdk_2HgZ5xSrPflVmgxn5bQ9w2RLIrb7m2Uoq3aAwxtFkT4";
    private const string RevokedKey = "mqdk_G8pKQqgTyExIPGz8uh8XE3O3M5V80eCoyLfPpAp4cZ4";
    private const string WallToken = "mqdw_3QMNkaC8WukngR2oVQxRTAsuUFS0gALwcMdejYCjS2k";
    private const string OperatorStamp = "25ec68df80424e65a9a78875624cb1ad";
    private const string EndedSignIn = "0123456789abcdef0123456789abcdef";

    private static void WriteOldDatabase(string dataPath)
    {
        Directory.CreateDirectory(dataPath);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataPath, SecurityDatabase.FileName)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Security", "Fixtures", "dashboard-schema3.sql"));
        command.ExecuteNonQuery();
    }

    [Fact]
    public void Open_DatabaseFromBeforeIdentity_KeepsUsersKeysTokensBlocksAndAudit()
    {
        using var folder = new TempDirectory();
        var dataPath = folder.File("data");
        WriteOldDatabase(dataPath);
        var time = TimeProvider.System;

        using var database = new SecurityDatabase(dataPath);

        var audit = new AuditLog(database, time);
        // Before the sign-ins below add their own entries: the old log, oldest first, as the fixture holds it.
        Assert.Equal(
            ["user.add", "user.add", "user.add", "sign-in", "sign-in", "apikey.create", "apikey.create", "apikey.create", "apikey.revoke", "walltoken.create", "block.add"],
            audit.Query(new AuditQuery()).Value.Entries.Reverse().Select(e => e.Action));
        var first = audit.Query(new AuditQuery { Target = "admin" }).Value.Entries.Single();
        Assert.Equal((1L, "system", "{\"role\":\"Admin\"}", "Added", 1795838422127L),
            (first.Id, first.Actor, first.Parameters, first.Result, first.Time.ToUnixTimeMilliseconds()));

        var users = new UserStore(database, audit, time);
        Assert.Equal(["admin:Admin", "Olga:Operator", "vic:Viewer"], users.List().Select(u => $"{u.Name}:{u.Role}"));
        // The old stamp: cookies issued before the upgrade stay valid.
        Assert.Equal(OperatorStamp, users.Find("olga")!.SecurityStamp);
        Assert.Equal(PasswordCheckStatus.Success, users.VerifyPassword("admin", AdminPassword).Status);
        Assert.Equal(PasswordCheckStatus.Success, users.VerifyPassword("olga", OperatorPassword).Status);
        Assert.Equal(PasswordCheckStatus.Success, users.VerifyPassword("vic", ViewerPassword).Status);
        Assert.Equal(PasswordCheckStatus.Failed, users.VerifyPassword("vic", OperatorPassword).Status);

        var keys = new ApiKeyStore(database, audit, time);
        Assert.Equal(("ci", ApiKeyScope.Mgmt), (keys.Verify(MgmtKey)!.Name, keys.Verify(MgmtKey)!.Scope));
        Assert.Equal(("reader", ApiKeyScope.Read), (keys.Verify(ReadKey)!.Name, keys.Verify(ReadKey)!.Scope));
        Assert.Null(keys.Verify(RevokedKey));
        Assert.Equal(["ci", "gone", "reader"], keys.List().Select(k => k.Name));
        Assert.Equal("lobby", new WallTokenStore(database, audit, time).Verify(WallToken)!.Name);
        Assert.True(new EndedSignIns(database, time).IsEnded(EndedSignIn));
        var block = Assert.Single(new ClientBlockStore(database, audit, time, new ClientBlockList()).List());
        Assert.Equal((1L, "bad-client", "flooding"), (block.Id, block.Pattern, block.Reason));

        // New rows go on after the old ids, and the old names stay taken.
        Assert.Equal(4L, users.Add("newbie", UserRole.Viewer, "a new password", "admin").Value.Id);
        Assert.Equal("A user named \"VIC\" already exists", users.Add("VIC", UserRole.Viewer, "a new password", "admin").Error);
        Assert.Equal(5L, keys.Create("later", ApiKeyScope.Read, null, "admin").Value.Key.Id);
    }

    [Fact]
    public void Open_DatabaseFromBeforeIdentity_ImportedOnceOldTablesGone()
    {
        using var folder = new TempDirectory();
        var dataPath = folder.File("data");
        WriteOldDatabase(dataPath);

        new SecurityDatabase(dataPath).Dispose();
        using var database = new SecurityDatabase(dataPath);

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name IN ('schema_version', 'users') OR name LIKE 'legacy%';";
        Assert.Equal(0L, command.ExecuteScalar());
        command.CommandText = "SELECT count(*) FROM AspNetUsers;";
        Assert.Equal(3L, command.ExecuteScalar());
        command.CommandText = "SELECT count(*) FROM audit;";
        Assert.Equal(11L, command.ExecuteScalar());
    }

    [Fact]
    public async Task App_OnDatabaseFromBeforeIdentity_SignInApiKeysAndWallTokenWork()
    {
        using var folder = new TempDirectory();
        var dataPath = folder.File("data");
        WriteOldDatabase(dataPath);

        // The configured admin password is the old one, so start-up leaves admin's hash alone.
        using var host = DashboardHost.Start(("Data:Path", dataPath), ("Auth:AdminPassword", AdminPassword));

        // Signed in (SignInAsync requires the redirect), with the old roles: an Operator, not an Admin.
        using var operatorBrowser = await host.SignInAsync("Olga", OperatorPassword);
        Assert.Equal(HttpStatusCode.OK, (await operatorBrowser.GetAsync("/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorBrowser.GetAsync("/admin/users")).StatusCode);
        using var adminBrowser = await host.SignInAsync("admin", AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await adminBrowser.GetAsync("/admin/users")).StatusCode);
        var csv = await adminBrowser.GetStringAsync("/export/audit?target=gone");
        Assert.Contains("apikey.revoke", csv, StringComparison.Ordinal);
        Assert.Contains("apikey.create", csv, StringComparison.Ordinal);

        using var api = new HttpClient { BaseAddress = host.HttpUrl };
        async Task<HttpStatusCode> Call(string key, string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("x-api-key", key);
            using var response = await api.SendAsync(request, TestContext.Current.CancellationToken);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await Call(MgmtKey, "/api/v1/session/show"));
        Assert.Equal(HttpStatusCode.OK, await Call(ReadKey, "/api/v1/session/show"));
        Assert.Equal(HttpStatusCode.Forbidden, await Call(ReadKey, "/api/v1/session/disconnect?client-id=nobody"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(RevokedKey, "/api/v1/session/show"));

        using var tv = new BrowserClient(host.HttpUrl);
        using var wall = await tv.GetAsync("/wall?token=" + WallToken);
        Assert.Equal(HttpStatusCode.OK, wall.StatusCode);
    }
}
