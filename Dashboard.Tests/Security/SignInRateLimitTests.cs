using System.Net;
using Dashboard.Security;
using Dashboard.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Security;

/// <summary>One address cannot fill the audit log or guess across user names: attempts per minute are capped.</summary>
public sealed class SignInRateLimitTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SignIn_MoreAttemptsThanAllowed_429AndNoMoreAuditEntries()
    {
        await using var host = DashboardHost.Start(("Auth:SignInAttemptsPerMinute", "3"));
        using var browser = new BrowserClient(host.HttpUrl);
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 5; i++)
        {
            using var response = await browser.SignInAsync("user" + i, "wrong password");
            statuses.Add(response.StatusCode);
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses[..3]);
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses[3..]);
        var audit = host.Services.GetRequiredService<AuditLog>();
        Assert.Equal(3, audit.Query(new AuditQuery { Action = AuditActions.SignIn }).Value.Entries.Count);
    }

    [Fact]
    public async Task WallLink_GuessingTokens_429AfterTheCap_PagesStillOpen()
    {
        await using var host = DashboardHost.Start(("Auth:SignInAttemptsPerMinute", "2"));
        using var browser = new BrowserClient(host.HttpUrl);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await browser.GetAsync("/wall?token=mqdw_guess" + i);
            statuses.Add(response.StatusCode);
        }
        using var limited = await browser.GetAsync("/wall?token=mqdw_guess");
        var body = await limited.Content.ReadAsStringAsync(Cancel);
        using var login = await browser.GetAsync("/login");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.Contains("Too many sign-in attempts", body, StringComparison.Ordinal);
        // Only attempts are counted: the sign-in form itself still opens.
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }
}
