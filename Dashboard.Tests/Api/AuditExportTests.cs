using System.Net;
using Dashboard.Api;
using Dashboard.Security;
using Dashboard.Tests.Hosting;
using Dashboard.Tests.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Api;

/// <summary>
/// /export/audit: who gets it over real HTTP; what an Admin gets in detail is checked on the endpoint's
/// handler with a request built by hand, against a database whose clock the test moves.
/// </summary>
public sealed class AuditExportTests : IDisposable
{
    private readonly SecurityFixture _security = new();

    public AuditExportTests()
    {
        _security.Audit.Append("alice", AuditActions.SessionDisconnect, "=cmd|' /C calc'!A0", "{\"cleanup\":false}", "Disconnected");
        _security.Time.Advance(TimeSpan.FromMinutes(5));
        _security.Audit.Append("bob", AuditActions.UserAdd, "carol", "{\"role\":\"Viewer\"}", "Added");
    }

    public void Dispose() => _security.Dispose();

    [Fact]
    public async Task Get_Anonymous_SentToSignIn()
    {
        await using var host = DashboardHost.Start();
        using var browser = new BrowserClient(host.HttpUrl);

        using var response = await browser.GetAsync("/export/audit");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login?returnUrl=", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
        Assert.DoesNotContain("session.disconnect", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ApiKeyEvenMgmt_IsNoUser()
    {
        await using var host = DashboardHost.Start(("Api:Keys:0:Key", "audit-test-key"), ("Api:Keys:0:Scope", "mgmt"));
        using var browser = new BrowserClient(host.HttpUrl);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/export/audit");
        request.Headers.Add(ApiKeys.HeaderName, "audit-test-key");

        using var response = await browser.SendAsync(request);

        // The audit log is for Admins, and a key is no user: it gets what anybody not signed in gets.
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("session.disconnect", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UserRole.Viewer, HttpStatusCode.Forbidden)]
    [InlineData(UserRole.Operator, HttpStatusCode.Forbidden)]
    [InlineData(UserRole.Admin, HttpStatusCode.OK)]
    public async Task Get_SignedIn_OnlyAdmins(UserRole role, HttpStatusCode expected)
    {
        await using var host = DashboardHost.Start();
        host.AddUser("someone", role);
        using var browser = await host.SignInAsync("someone");

        using var response = await browser.GetAsync("/export/audit");

        Assert.Equal(expected, response.StatusCode);
        // Its own sign-in is in the log, so an Admin's export is not empty.
        Assert.Equal(expected == HttpStatusCode.OK, (await response.Content.ReadAsStringAsync(Cancel)).Contains("sign-in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_NoFilters_EveryEntryNewestFirstAsCsvAttachment()
    {
        var (status, headers, body) = await ExportAsync("");

        Assert.Equal(200, status);
        Assert.Equal("text/csv; charset=utf-8", headers.ContentType.ToString());
        Assert.StartsWith("attachment; filename=audit-20250301-120500.csv", headers.ContentDisposition.ToString(), StringComparison.Ordinal);
        var lines = body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,time,actor,action,target,parameters,result", lines[0]);
        Assert.Equal("2,2025-03-01T12:05:00.000Z,bob,user.add,carol,\"{\"\"role\"\":\"\"Viewer\"\"}\",Added", lines[1]);
        // The attacker-chosen target cannot become a spreadsheet formula.
        Assert.Contains(",'=cmd|' /C calc'!A0,", lines[2], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        Assert.False(headers.ContainsKey(AuditExport.LimitReachedHeader));
    }

    [Theory]
    [InlineData("?actor=bob", "carol")]
    [InlineData("?action=session.disconnect", "calc")]
    [InlineData("?from=2025-03-01T12:01:00Z", "carol")]
    [InlineData("?to=2025-03-01T12:01:00Z", "calc")]
    [InlineData("?target=carol&actor=bob", "carol")]
    public async Task Export_Filters_SelectTheSameRowsAsThePage(string queryString, string only)
    {
        var (status, _, body) = await ExportAsync(queryString);

        Assert.Equal(200, status);
        var rows = body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Contains(only, Assert.Single(rows), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?from=last-week", "Invalid from time \"last-week\": use ISO 8601, e.g. 2025-03-01T12:00:00Z")]
    [InlineData("?to=2025-13-01", "Invalid to time \"2025-13-01\": use ISO 8601, e.g. 2025-03-01T12:00:00Z")]
    [InlineData("?from=2025-03-02&to=2025-03-01", "The time range ends before it starts")]
    [InlineData("?action=user.drop", "Unknown action \"user.drop\": one of session.disconnect, session.reauthorize, session.trace, sign-in, user.add, user.role, user.reset-password, user.change-password, user.delete, apikey.create, apikey.revoke, walltoken.create, walltoken.revoke, wall.sign-in, block.add, block.remove")]
    [InlineData("?actor=a&actor=b", "Give actor at most once")]
    public async Task Export_BadFilter_Is400WithAPlainMessage(string queryString, string message)
    {
        var (status, headers, body) = await ExportAsync(queryString);

        Assert.Equal(400, status);
        Assert.Equal("text/plain; charset=utf-8", headers.ContentType.ToString());
        Assert.Equal($"Cannot export the audit log: {message}\n", body);
    }

    // The handler as the endpoint runs it once authorization let the request through.
    private async Task<(int Status, IHeaderDictionary Headers, string Body)> ExportAsync(string queryString)
    {
        using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.QueryString = new QueryString(queryString.Length == 0 ? null : queryString);
        using var body = new MemoryStream();
        context.Response.Body = body;

        await AuditExport.Export(context, _security.Audit, _security.Time).ExecuteAsync(context);

        return (context.Response.StatusCode, context.Response.Headers, System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
}
