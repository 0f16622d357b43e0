using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Dashboard.Security;
using Microsoft.Playwright;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.E2E;

/// <summary>
/// The app (management API key) without the capabilities that let root write any file, so a read-only
/// <c>dashboard.db</c> is read-only to it as to an app running as a service user.
/// </summary>
public sealed class UnprivilegedApp : StormApp
{
    protected override IReadOnlyList<string> Launcher =>
        ["/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search", "--"];

    public string DatabasePath => Path.Combine(DataPath, SecurityDatabase.FileName);
}

/// <summary>
/// Issue 11 §3: the security database (users, sign-ins, API keys, the audit log) locked by another
/// program, and read-only. Sign-in, disconnect, user administration and the API must say so in words
/// (no 500, no broken page, no action done that the audit log could not record) and work again once the
/// database does, without a restart.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class SecurityDatabaseFaultTests : IAsyncLifetime
{
    private readonly UnprivilegedApp _app = new();
    private readonly List<IMqttClient> _clients = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _app.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        if (File.Exists(_app.DatabasePath))
        {
            File.SetUnixFileMode(_app.DatabasePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await _app.DisposeAsync();
    }

    [Fact(Timeout = 180_000)]
    public async Task LockedByAnotherProgram_SignInActionsAndApiSayWhy_NothingDone_ThenAllWorksAgain()
    {
        var victim = await ConnectAsync("dblock-victim");
        var cookie = await FormSignIn.GetCookieAsync(_app.BaseUrl, "admin", DashboardApp.AdminPassword);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await Chromium.NewContextAsync(browser, _app.BaseUrl);
        var grid = await context.NewPageAsync();
        await grid.GotoAsync(_app.BaseUrl + "/sessions?q=" + Uri.EscapeDataString("--client_id --is_online --client_id=dblock-victim"));
        await Assertions.Expect(grid.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeEnabledAsync(new() { Timeout = 30_000 });
        var users = await context.NewPageAsync();
        await users.GotoAsync(_app.BaseUrl + "/admin/users");
        await Assertions.Expect(users.GetByRole(AriaRole.Form, new() { Name = "Add user" }).GetByRole(AriaRole.Button, new() { Name = "Add user" }))
            .ToBeEnabledAsync(new() { Timeout = 30_000 });

        var step = Stopwatch.StartNew();
        void Step(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{step.Elapsed.TotalSeconds,6:F1} s {what}");
        await using (await SqliteLock.TakeAsync(_app.DatabasePath))
        {
            Step("locked");
            // Sign-in: the form answers in words, within the few seconds a write waits for a lock.
            var clock = Stopwatch.StartNew();
            var (status, page) = await SignInAsync("admin", DashboardApp.AdminPassword);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains($"Sign-in is not possible right now: The dashboard&#x27;s database {_app.DatabasePath} is locked by another program", page, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the sign-in took {clock.Elapsed.TotalSeconds:F0} s to answer");

            Step("sign-in answered");
            // A page of an already signed-in user still opens (reads go on beside the lock).
            Assert.Equal(HttpStatusCode.OK, await PageStatusAsync(cookie, "/audit"));

            Step("page opened");
            // The API's disconnect: 503 with the reason, and the client is still connected.
            var api = await _app.ApiAsync("/api/v1/session/disconnect?client-id=dblock-victim");
            Assert.StartsWith("503 ", api, StringComparison.Ordinal);
            Assert.Contains("locked by another program", api, StringComparison.Ordinal);

            Step("API answered");
            // The grid's Disconnect: the snackbar says why; nothing was done.
            await grid.GetByRole(AriaRole.Row).Filter(new() { HasText = "dblock-victim" }).GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
            await grid.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
            await Assertions.Expect(grid.Locator("#mud-snackbar-container")).ToContainTextAsync("Not disconnected: The dashboard's database", new() { Timeout = 20_000 });
            await Chromium.ScreenshotAsync(grid, "database-locked-disconnect");
            Assert.True(victim.IsConnected, "the client was disconnected although the audit log could not record it");

            Step("grid answered");
            // Adding a user: the form says why.
            await AddUserAsync(users, "locked-out-user");
            await Assertions.Expect(users.GetByRole(AriaRole.Alert)).ToContainTextAsync("is locked by another program", new() { Timeout = 20_000 });
            await Chromium.ScreenshotAsync(users, "database-locked-add-user");
        }

        Step("unlocked");
        // The lock is gone: everything works again, in the same app and on the same pages.
        var (statusAfter, _) = await SignInAsync("admin", DashboardApp.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, statusAfter);
        await AddUserAsync(users, "added-after-lock");
        await Assertions.Expect(users.GetByRole(AriaRole.Cell, new() { Name = "added-after-lock", Exact = true })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        Assert.StartsWith("200 ", await _app.ApiAsync("/api/v1/session/disconnect?client-id=dblock-victim"), StringComparison.Ordinal);
        await Assertions.Expect(grid.GetByRole(AriaRole.Row).Filter(new() { HasText = "dblock-victim" }).Locator("td[data-label='is_online']")).ToHaveTextAsync("false");
        AssertNoErrorsLogged();
    }

    [Fact(Timeout = 180_000)]
    public async Task ReadOnlyAtStart_AppStartsAndEverythingThatWritesSaysWhy_WritableAgain_WorksWithoutARestart()
    {
        var cookie = await FormSignIn.GetCookieAsync(_app.BaseUrl, "admin", DashboardApp.AdminPassword);
        await _app.StopAsync();
        File.SetUnixFileMode(_app.DatabasePath, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await _app.StartAsync();
        var victim = await ConnectAsync("dbro-victim");

        var (status, page) = await SignInAsync("admin", DashboardApp.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"Sign-in is not possible right now: The dashboard&#x27;s database {_app.DatabasePath} is read-only", page, StringComparison.Ordinal);
        // The sign-in from before still opens pages; the API says why it cannot act; readiness says not ready.
        Assert.Equal(HttpStatusCode.OK, await PageStatusAsync(cookie, "/sessions"));
        var api = await _app.ApiAsync("/api/v1/session/disconnect?client-id=dbro-victim");
        Assert.StartsWith("503 ", api, StringComparison.Ordinal);
        Assert.Contains("is read-only", api, StringComparison.Ordinal);
        Assert.StartsWith("503 ", await _app.ApiAsync("/health/ready"), StringComparison.Ordinal);
        Assert.True(victim.IsConnected);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new() { Locale = "en-US" });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = FormSignIn.CookieName, Value = cookie, Url = _app.BaseUrl, HttpOnly = true, SameSite = SameSiteAttribute.Strict }]);
        var users = await context.NewPageAsync();
        await users.GotoAsync(_app.BaseUrl + "/admin/users");
        await Assertions.Expect(users.GetByRole(AriaRole.Form, new() { Name = "Add user" }).GetByRole(AriaRole.Button, new() { Name = "Add user" }))
            .ToBeEnabledAsync(new() { Timeout = 30_000 });
        await AddUserAsync(users, "read-only-user");
        await Assertions.Expect(users.GetByRole(AriaRole.Alert)).ToContainTextAsync("is read-only", new() { Timeout = 20_000 });
        await Chromium.ScreenshotAsync(users, "database-read-only-add-user");
        await Chromium.ScreenshotAsync(await SignInPageAsync(browser), "database-read-only-sign-in");

        // Writable again: no restart, the next attempts go through.
        File.SetUnixFileMode(_app.DatabasePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (statusAfter, _) = await SignInAsync("admin", DashboardApp.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, statusAfter);
        Assert.StartsWith("200 ", await _app.ApiAsync("/api/v1/session/disconnect?client-id=dbro-victim"), StringComparison.Ordinal);
        Assert.StartsWith("200 ", await _app.ApiAsync("/health/ready"), StringComparison.Ordinal);
        AssertNoErrorsLogged();
    }

    // Nothing failed inside the app (the health check's "Unhealthy" is logged as an error on purpose).
    private void AssertNoErrorsLogged()
    {
        var output = _app.Output;
        var errors = output.Select((line, i) => (line, next: i + 1 < output.Count ? output[i + 1] : ""))
            .Where(l => (l.line.StartsWith("fail:", StringComparison.Ordinal) || l.line.StartsWith("crit:", StringComparison.Ordinal))
                && !l.line.Contains("HealthCheck", StringComparison.Ordinal))
            .Select(l => l.line + " " + l.next.Trim()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>The sign-in form in a fresh context, filled and sent, for a screenshot of its answer.</summary>
    private async Task<IPage> SignInPageAsync(IBrowser browser)
    {
        var context = await browser.NewContextAsync(new() { Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.BaseUrl + "/login");
        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(DashboardApp.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Sign-in is not possible right now")).ToBeVisibleAsync();
        return page;
    }

    private static async Task AddUserAsync(IPage users, string name)
    {
        var form = users.GetByRole(AriaRole.Form, new() { Name = "Add user" });
        await form.GetByLabel("User name").FillAsync(name);
        await form.GetByLabel("Password").FillAsync("a long enough password");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
    }

    /// <summary>Posts the real sign-in form; the status (302 when signed in) and the page it answered with.</summary>
    private async Task<(HttpStatusCode Status, string Page)> SignInAsync(string user, string password)
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(_app.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        var form = await http.GetStringAsync("/login", Cancel);
        var token = WebUtility.HtmlDecode(TokenPattern().Match(form).Groups[1].Value);
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "sign-in", ["UserName"] = user, ["Password"] = password,
        });
        using var answer = await http.PostAsync("/login", content, Cancel);
        return (answer.StatusCode, await answer.Content.ReadAsStringAsync(Cancel));
    }

    private async Task<HttpStatusCode> PageStatusAsync(string cookie, string path)
    {
        using var handler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(_app.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", $"{FormSignIn.CookieName}={cookie}");
        using var answer = await http.SendAsync(request, Cancel);
        return answer.StatusCode;
    }

    private async Task<IMqttClient> ConnectAsync(string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _app.MqttPort).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(false).WithSessionExpiryInterval(3600).Build(), Cancel);
        _clients.Add(client);
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    /// <summary>Debian's <c>sqlite3</c> holding <c>BEGIN EXCLUSIVE</c> on a database until disposed: another program's lock.</summary>
    private sealed class SqliteLock : IAsyncDisposable
    {
        private readonly Process _process;

        private SqliteLock(Process process) => _process = process;

        public static async Task<SqliteLock> TakeAsync(string database)
        {
            var start = new ProcessStartInfo("/usr/bin/sqlite3", [database])
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("sqlite3 did not start");
            await process.StandardInput.WriteLineAsync("BEGIN EXCLUSIVE;");
            await process.StandardInput.WriteLineAsync("SELECT 'locked';");
            await process.StandardInput.FlushAsync();
            var answer = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (answer != "locked")
            {
                process.Kill();
                Assert.Fail($"sqlite3 did not take the lock: {answer} {await process.StandardError.ReadToEndAsync()}");
            }
            return new SqliteLock(process);
        }

        public async ValueTask DisposeAsync()
        {
            await _process.StandardInput.WriteLineAsync("ROLLBACK;");
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            _process.Dispose();
        }
    }
}
