using System.Net;
using System.Text.RegularExpressions;

namespace Dashboard.E2E;

/// <summary>Signs in through a dashboard's real sign-in form over HTTP and hands back the cookie's value.</summary>
internal static partial class FormSignIn
{
    public const string CookieName = "mqtt-dashboard";

    public static async Task<string> GetCookieAsync(string baseUrl, string user, string password)
    {
        var jar = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
        var form = await http.GetStringAsync("/login");
        var token = WebUtility.HtmlDecode(TokenPattern().Match(form).Groups[1].Value);
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "sign-in",
            ["UserName"] = user,
            ["Password"] = password,
        });
        using var response = await http.PostAsync("/login", content);
        return jar.GetCookies(new Uri(baseUrl))[CookieName]?.Value
            ?? throw new InvalidOperationException($"Signing in to {baseUrl} as {user} set no cookie (status {(int)response.StatusCode}).");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
