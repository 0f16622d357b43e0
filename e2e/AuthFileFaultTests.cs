using Dashboard.Core.Auth;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>
/// The app with a VerneMQ-format ACL and password file, started without the capabilities that let root
/// read any file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so a file's permissions apply to it as to an
/// app running as a service user.
/// </summary>
public sealed class AuthFileApp : AppProcess
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("e2e-authfiles-").FullName;

    public string AclPath => Path.Combine(Folder, "vmq.acl");

    public string PasswordPath => Path.Combine(Folder, "vmq.passwd");

    protected override IEnumerable<string> ExtraArguments =>
        ["--Broker:AclFile=" + AclPath, "--Broker:PasswordFile=" + PasswordPath, "--Broker:AllowAnonymous=false"];

    protected override IReadOnlyList<string> Launcher =>
        ["/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search", "--"];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>
/// Issue 11 §3: the ACL and password files deleted or made unreadable while the broker uses them. The
/// last good rules stay in force (checked with real clients: who may connect, which topics they may
/// subscribe to), Admins see a banner naming the file and what is wrong, and once the files are back
/// the banner goes.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AuthFileFaultTests : IAsyncLifetime
{
    private const string Password = "plant-password-1";
    private readonly AuthFileApp _app = new();
    private readonly List<IMqttClient> _clients = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(_app.AclPath, "user alice\ntopic plant/a/#\n", Cancel);
        Assert.True(PasswordFile.SetUser(_app.PasswordPath, "alice", Password).IsSuccess);
        // The app may read them; nobody else needs to.
        File.SetUnixFileMode(_app.AclPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(_app.PasswordPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await _app.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        await _app.DisposeAsync();
    }

    [Fact(Timeout = 180_000)]
    public async Task AclAndPasswordFiles_DeletedThenUnreadable_LastGoodRulesStay_AdminsSeeABanner_ThenItGoes()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await Chromium.NewContextAsync(browser, _app.BaseUrl);
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.BaseUrl + "/sessions");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeEnabledAsync(new() { Timeout = 30_000 });
        var banners = page.GetByRole(AriaRole.Alert, new() { Name = "Auth file problem" });
        await Assertions.Expect(banners).ToHaveCountAsync(0);
        await ExpectRulesInForceAsync("as loaded");

        File.Delete(_app.AclPath);
        File.Delete(_app.PasswordPath);

        await Assertions.Expect(banners).ToHaveCountAsync(2, new() { Timeout = 15_000 });
        await Assertions.Expect(banners.Filter(new() { HasText = "ACL file" }))
            .ToContainTextAsync(new System.Text.RegularExpressions.Regex($@"The ACL file {_app.AclPath} is missing since \d\d:\d\d:\d\d UTC: the rules loaded at \d\d:\d\d:\d\d UTC stay in force"));
        await Assertions.Expect(banners.Filter(new() { HasText = "password file" })).ToContainTextAsync($"The password file {_app.PasswordPath} is missing");
        await Chromium.ScreenshotAsync(page, "authfiles-missing-banner");
        await ExpectRulesInForceAsync("with both files deleted");

        // Written back as they were: the banner goes, the rules are the same.
        await File.WriteAllTextAsync(_app.AclPath, "user alice\ntopic plant/a/#\n", Cancel);
        Assert.True(PasswordFile.SetUser(_app.PasswordPath, "alice", Password).IsSuccess);
        await Assertions.Expect(banners).ToHaveCountAsync(0, new() { Timeout = 15_000 });

        // Unreadable for the app (no read permission, and it has no capability to override that).
        File.SetUnixFileMode(_app.AclPath, UnixFileMode.None);
        File.SetUnixFileMode(_app.PasswordPath, UnixFileMode.None);

        await Assertions.Expect(banners).ToHaveCountAsync(2, new() { Timeout = 15_000 });
        await Assertions.Expect(banners.Filter(new() { HasText = "ACL file" })).ToContainTextAsync($"The ACL file {_app.AclPath} cannot be read (");
        await Assertions.Expect(banners.Filter(new() { HasText = "password file" })).ToContainTextAsync("cannot be read");
        await Chromium.ScreenshotAsync(page, "authfiles-unreadable-banner");
        await ExpectRulesInForceAsync("with both files unreadable");

        File.SetUnixFileMode(_app.AclPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(_app.PasswordPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await Assertions.Expect(banners).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await ExpectRulesInForceAsync("readable again");
    }

    /// <summary>The rules loaded at the start, as real clients meet them: alice with her password may use plant/a only; nobody else gets in.</summary>
    private async Task ExpectRulesInForceAsync(string when)
    {
        var alice = await ConnectAsync("alice", Password);
        Assert.True(alice.ResultCode == MqttClientConnectResultCode.Success, $"{when}: alice was refused ({alice.ResultCode})");
        var subscribed = await alice.Client!.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("plant/a/temp").WithTopicFilter("plant/b/temp").Build(), Cancel);
        Assert.Equal([MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.NotAuthorized], subscribed.Items.Select(i => i.ResultCode));
        await alice.Client.DisconnectAsync(cancellationToken: Cancel);

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await ConnectAsync("alice", "a-wrong-password")).ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await ConnectAsync("mallory", Password)).ResultCode);
    }

    private async Task<(MqttClientConnectResultCode ResultCode, IMqttClient? Client)> ConnectAsync(string user, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _app.MqttPort)
            .WithClientId("authfiles-" + user + "-" + Guid.NewGuid().ToString("N")[..6]).WithCredentials(user, password)
            .WithProtocolVersion(MqttProtocolVersion.V500).Build(), Cancel);
        return (result.ResultCode, client.IsConnected ? client : null);
    }
}
