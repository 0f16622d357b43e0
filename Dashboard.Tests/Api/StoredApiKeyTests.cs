using Dashboard.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace Dashboard.Tests.Api;

/// <summary>Keys created in the store beside the configured ones, and the audit entries API actions write, over real HTTP.</summary>
public sealed class StoredApiKeyTests : IAsyncLifetime
{
    private ApiTestHost _api = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private ApiKeyStore Keys => _api.Host.Services.GetRequiredService<ApiKeyStore>();

    private AuditLog Audit => _api.Host.Services.GetRequiredService<AuditLog>();

    public ValueTask InitializeAsync()
    {
        _api = ApiTestHost.Start(("Auth:AdminPassword", "host-admin-password"));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Disconnect_StoredMgmtKey_DisconnectsAndAuditsWithTheKeysName()
    {
        var secret = Keys.Create("ops-script", ApiKeyScope.Mgmt, null, "admin").Value.Secret;
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _api.Host.MqttPort).WithClientId("audited-1").Build(), Cancel);
        await _api.WaitForAsync("audited-1", q => q is { IsOnline: true }, "online");

        var (status, body, _) = await _api.SendAsync("/api/v2/session/disconnect?client-id=audited-1", secret);

        Assert.Equal(200, status);
        Assert.Contains("\"was_online\":true", body, StringComparison.Ordinal);
        var entry = Audit.Query(new AuditQuery { Target = "audited-1" }).Value.Entries.Single();
        Assert.Equal(("key:ops-script", AuditActions.SessionDisconnect, """{"mountpoint":"","cleanup":false}""", "Disconnected audited-1"),
            (entry.Actor, entry.Action, entry.Parameters, entry.Result));
    }

    [Fact]
    public async Task Disconnect_ConfiguredKey_AuditedAsItsConfigEntryIncludingNoSession()
    {
        var (status, _, _) = await _api.SendAsync("/api/v1/session/disconnect?client-id=nobody-here", ApiTestHost.MgmtKey);

        Assert.Equal(200, status);
        var entry = Audit.Query(new AuditQuery { Target = "nobody-here" }).Value.Entries.Single();
        Assert.Equal(("config:Api:Keys:0", "No session nobody-here"), (entry.Actor, entry.Result));
    }

    [Fact]
    public async Task Reauthorize_StoredKeyAsBasicUser_Audited()
    {
        var secret = Keys.Create("basic-user", ApiKeyScope.Mgmt, null, "admin").Value.Secret;

        var (status, _) = await _api.SendBasicAsync("/api/v1/session/reauthorize?username=u&client-id=ghost", secret);

        Assert.Equal(200, status);
        Assert.Equal("key:basic-user", Audit.Query(new AuditQuery { Target = "ghost" }).Value.Entries.Single().Actor);
    }

    [Fact]
    public async Task Actions_StoredReadKey_ShowsButMayNotAct()
    {
        var secret = Keys.Create("viewer-script", ApiKeyScope.Read, null, "admin").Value.Secret;

        Assert.Equal(200, (await _api.SendAsync("/api/v1/session/show", secret)).Status);
        Assert.Equal(403, (await _api.SendAsync("/api/v1/session/disconnect?client-id=x", secret)).Status);
        Assert.Empty(Audit.Query(new AuditQuery { Action = AuditActions.SessionDisconnect }).Value.Entries);
    }

    [Fact]
    public async Task Show_RevokedKey_RefusedOnTheNextRequest()
    {
        var secret = Keys.Create("soon-revoked", ApiKeyScope.Mgmt, null, "admin").Value.Secret;
        Assert.Equal(200, (await _api.SendAsync("/api/v1/session/show", secret)).Status);

        Keys.Revoke("soon-revoked", "admin");

        Assert.Equal(401, (await _api.SendAsync("/api/v1/session/show", secret)).Status);
    }

    [Fact]
    public async Task Show_StoredKeyWhileTheDatabaseCannotBeRead_503SayingWhy_ConfiguredKeysStillWork()
    {
        var secret = Keys.Create("unreadable-db-script", ApiKeyScope.Read, null, "admin").Value.Secret;
        var path = _api.Host.Services.GetRequiredService<SecurityDatabase>().FilePath;
        // Every connection closed (the last one folds the WAL into the file), then the file's bytes spoiled:
        // what a bad disk or another program's stray write leaves. The next connection finds no database.
        SqliteConnection.ClearAllPools();
        var good = await File.ReadAllBytesAsync(path, Cancel);
        // The write-ahead log and its index go back too, as a restore from a backup would leave them: the
        // app's failed opens of the spoilt file may leave ones that no longer belong to the good file.
        var sidecars = new[] { path + "-wal", path + "-shm" }
            .ToDictionary(file => file, file => File.Exists(file) ? File.ReadAllBytes(file) : null);
        await File.WriteAllBytesAsync(path, [.. Enumerable.Repeat((byte)'x', good.Length)], Cancel);
        try
        {
            var (status, body, _) = await _api.SendAsync("/api/v1/session/show", secret);
            Assert.Equal(503, status);
            var text = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("alert")[0].GetProperty("text").GetString();
            Assert.Equal($"The dashboard's database {path} cannot be read (the file is damaged or is not a database), "
                + "so stored API keys cannot be checked; keys from the configuration still work.", text);
            var configured = await _api.SendAsync("/api/v1/session/show", ApiTestHost.ReadKey);
            Assert.True(configured.Status == 200, $"a configured key answered {configured.Status}: {configured.Body}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await File.WriteAllBytesAsync(path, good, Cancel);
            foreach (var (file, bytes) in sidecars)
            {
                if (bytes is null)
                {
                    File.Delete(file);
                }
                else
                {
                    await File.WriteAllBytesAsync(file, bytes, Cancel);
                }
            }
        }

        var restored = await _api.SendAsync("/api/v1/session/show", secret);
        Assert.True(restored.Status == 200, $"the stored key after the restore answered {restored.Status}: {restored.Body}");
    }

    [Fact]
    public void Start_AdminPasswordConfigured_AdminCanSignIn()
    {
        var users = _api.Host.Services.GetRequiredService<UserStore>();

        Assert.Equal(PasswordCheckStatus.Success, users.VerifyPassword("admin", "host-admin-password").Status);
        Assert.Equal(UserRole.Admin, users.Find("admin")!.Role);
    }
}
