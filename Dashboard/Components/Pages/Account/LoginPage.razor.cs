using Dashboard.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages.Account;

/// <summary>
/// <c>/login</c>: user name and password, rendered and posted as static HTML (antiforgery token
/// included). On success the cookie is set and the browser goes back where it came from, if that was
/// on this site; on failure the store's sentence is shown, the same for an unknown user and a wrong password.
/// </summary>
public sealed partial class LoginPage
{
    private const string DefaultReturnUrl = "/sessions";

    [Inject]
    public required UserStore Users { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    [SupplyParameterFromForm(FormName = "sign-in")]
    public string? UserName { get; set; }

    [SupplyParameterFromForm(FormName = "sign-in")]
    public string? Password { get; set; }

    [SupplyParameterFromQuery(Name = SignInHosting.ReturnUrlParameter)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the user is here again: <c>password-changed</c> after changing their own password.</summary>
    [SupplyParameterFromQuery(Name = "reason")]
    public string? Reason { get; set; }

    private string? Message { get; set; }

    /// <summary>What an arriving user is told before signing in; fixed texts, never the query's own words.</summary>
    private string? Notice => Reason switch
    {
        PasswordChangedReason => "Your password is changed: sign in with the new one.",
        SignOutNotRecordedReason => "You are signed out. The dashboard's database could not record it, so should the dashboard restart " +
            "before the database takes writes again, a copy of this sign-in elsewhere would be valid again.",
        _ => null,
    };

    public const string PasswordChangedReason = "password-changed";

    /// <summary>Signed out, but the database refused the record of it (docs/reliability.md).</summary>
    public const string SignOutNotRecordedReason = "sign-out-not-recorded";

    private async Task SignInAsync()
    {
        if (HttpContext is null)
        {
            // Only reachable if the page were ever rendered interactively, where no cookie can be set.
            Message = "Sign-in needs a page load: reload the page and try again.";
            return;
        }
        if (string.IsNullOrWhiteSpace(UserName) || string.IsNullOrEmpty(Password))
        {
            Message = "Enter your user name and password";
            return;
        }
        var check = Users.VerifyPassword(UserName.Trim(), Password, HttpContext.Connection.RemoteIpAddress?.ToString());
        if (check is not { Status: PasswordCheckStatus.Success, User: { } user })
        {
            Message = check.Message;
            return;
        }
        // Only a path on this site: a returnUrl of https://evil.example or //evil.example would make
        // this form an open redirect that lends the dashboard's name to a phishing page. Given to the
        // cookie handler too, which otherwise redirects to the raw query value (a non-ASCII one was a 500).
        // Behind a proxy with Http:BasePath, only a path below it: the rest of the host is not this app.
        var basePath = HttpContext.Request.PathBase;
        var target = SignInHosting.LocalReturnUrl(ReturnUrl) is { } local && (!basePath.HasValue || local.StartsWith(basePath.ToUriComponent() + "/", StringComparison.Ordinal))
            ? local
            : basePath.Add(DefaultReturnUrl).ToUriComponent();
        await HttpContext.SignInAsync(DashboardClaims.Scheme, DashboardClaims.ForUser(user), new AuthenticationProperties { RedirectUri = target });
        Navigation.NavigateTo(target, forceLoad: true);
    }
}
