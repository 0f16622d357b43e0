using System.Net;
using System.Text.RegularExpressions;

namespace Dashboard.Tests.Hosting;

/// <summary>
/// An HTTP client that behaves like a browser towards the dashboard's forms: it keeps cookies, does not
/// follow redirects (tests look at them), and posts forms with the antiforgery token of the page they are on.
/// </summary>
internal sealed partial class BrowserClient : IDisposable
{
    private readonly HttpClient _http;

    public BrowserClient(Uri baseAddress)
    {
        Handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true };
        _http = new HttpClient(Handler) { BaseAddress = baseAddress };
    }

    public HttpClientHandler Handler { get; }

    public Uri BaseAddress => _http.BaseAddress!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery) => _http.GetAsync(pathAndQuery, Cancel);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request, Cancel);

    /// <summary>The body of a GET, asserting its status.</summary>
    public async Task<string> GetStringAsync(string pathAndQuery, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await GetAsync(pathAndQuery);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Cancel);
    }

    /// <summary>Opens the sign-in form and posts it, as a user does.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string user, string password, string? returnUrl = null)
    {
        var path = returnUrl is null ? "/login" : "/login?returnUrl=" + Uri.EscapeDataString(returnUrl);
        var form = await GetStringAsync(path);
        return await PostFormAsync(path, form, ("_handler", "sign-in"), ("UserName", user), ("Password", password));
    }

    /// <summary>Posts the sign-out form with the token of <paramref name="page"/> (a page that shows the button).</summary>
    public async Task<HttpResponseMessage> SignOutAsync(string page = "/sessions")
    {
        var html = await GetStringAsync(page);
        return await PostFormAsync("/logout", html);
    }

    /// <summary>Posts <paramref name="fields"/> plus the antiforgery token found in <paramref name="pageHtml"/>.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string path, string pageHtml, params (string Name, string Value)[] fields) =>
        PostAsync(path, [("__RequestVerificationToken", AntiforgeryToken(pageHtml)), .. fields]);

    /// <summary>Posts exactly <paramref name="fields"/> (no token unless given).</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, params (string Name, string Value)[] fields)
    {
        using var content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        return await _http.PostAsync(path, content, Cancel);
    }

    /// <summary>The Set-Cookie header of the sign-in cookie in <paramref name="response"/>.</summary>
    public static string? SignInCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.FirstOrDefault(v => v.StartsWith("mqtt-dashboard=", StringComparison.Ordinal))
            : null;

    public static string AntiforgeryToken(string html)
    {
        var match = TokenPattern().Match(html);
        Assert.True(match.Success, "the page has no antiforgery token");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public void Dispose()
    {
        _http.Dispose();
        Handler.Dispose();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
