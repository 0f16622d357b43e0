using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Diagnostics;

namespace Dashboard.Security;

/// <summary>
/// Sign-in for the dashboard's pages: the cookie (default scheme), a fallback policy so that nothing is
/// open unless it says so, the circuit's revalidating authentication state, wall-token sign-in at
/// <c>/wall?token=</c> and the sign-out endpoint.
/// </summary>
public static class SignInHosting
{
    public const string LoginPath = "/login";

    public const string SignOutPath = "/logout";

    public const string ReturnUrlParameter = "returnUrl";

    /// <summary>How long a sign-in lasts without use; each request within it extends it.</summary>
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromHours(8);

    public static IServiceCollection AddDashboardSignIn(this IServiceCollection services)
    {
        services.AddSignInRateLimit();
        services.AddSingleton<PrincipalValidator>();
        services.AddAuthentication(DashboardClaims.Scheme)
            .AddCookie(DashboardClaims.Scheme, options =>
            {
                options.Cookie.Name = "mqtt-dashboard";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                // The dashboard listens on plain HTTP on loopback by default; behind TLS the cookie is Secure.
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = CookieLifetime;
                options.SlidingExpiration = true;
                options.LoginPath = LoginPath;
                options.ReturnUrlParameter = ReturnUrlParameter;
                options.Events = new CookieAuthenticationEvents
                {
                    // Every request: one indexed SQLite read, so a reset password, changed role, deleted
                    // user or revoked wall token stops the cookie at once rather than after some cache time.
                    OnValidatePrincipal = async context =>
                    {
                        var validator = context.HttpContext.RequestServices.GetRequiredService<PrincipalValidator>();
                        bool current;
                        try
                        {
                            current = context.Principal is not null && validator.IsCurrent(context.Principal);
                        }
                        catch (Microsoft.Data.Sqlite.SqliteException)
                        {
                            // The database cannot be read now (locked by another program): this request is not
                            // signed in, but the cookie is kept for when it can be read again. The sign-in page
                            // says what is wrong.
                            context.RejectPrincipal();
                            return;
                        }
                        if (!current)
                        {
                            context.RejectPrincipal();
                            await context.HttpContext.SignOutAsync(DashboardClaims.Scheme);
                        }
                    },
                    OnRedirectToLogin = context => Challenge(context, StatusCodes.Status401Unauthorized),
                    OnRedirectToAccessDenied = context => Challenge(context, StatusCodes.Status403Forbidden),
                };
            })
            .AddScheme<AuthenticationSchemeOptions, WallTokenAuthentication>(WallTokenAuthentication.SchemeName, null);

        services.AddAuthorizationBuilder()
            // Anything mapped without its own policy needs a signed-in principal: a new endpoint is closed
            // until someone opens it on purpose. Wall screens are narrowed further by WallScope.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddDashboardPolicies();

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthenticationState>();
        return services;
    }

    /// <summary>
    /// Browsers asking for a page go to the sign-in form; a denied signed-in user gets a 403 the status
    /// pages render as "not allowed". Anything else (the circuit's hub, scripts, downloads by curl)
    /// gets the bare status, since a redirect to an HTML form means nothing to them.
    /// </summary>
    private static Task Challenge(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }
        if (status == StatusCodes.Status401Unauthorized && IsPageRequest(context.Request))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        context.Response.StatusCode = status;
        if (!IsPageRequest(context.Request) && context.HttpContext.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            // A script gets the bare status, not the HTML page re-executed for it (which a POST cannot even render).
            pages.Enabled = false;
        }
        return Task.CompletedTask;
    }

    private static bool IsPageRequest(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.Path.StartsWithSegments("/_blazor")
        && !request.Path.StartsWithSegments("/hubs");

    /// <summary>
    /// Wall-token sign-in and the wall screen's limits; between authentication and authorization.
    /// </summary>
    public static WebApplication UseDashboardSignIn(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Before the wall-token sign-in, so a refused attempt costs no database write.
        app.UseRateLimiter();
        app.UseMiddleware<WallTokenSignIn>();
        app.UseMiddleware<WallScope>();
        return app;
    }

    /// <summary>
    /// <c>POST /logout</c>: a form with the antiforgery token, never a GET, so another site cannot sign a
    /// user out. The token is checked here because the endpoint binds no form field, and minimal APIs only
    /// check it by themselves for endpoints that do.
    /// </summary>
    public static IEndpointConventionBuilder MapSignOut(this IEndpointRouteBuilder app) =>
        app.MapPost(SignOutPath, async (HttpContext context, IAntiforgery antiforgery) =>
        {
            try
            {
                await antiforgery.ValidateRequestAsync(context);
            }
            catch (AntiforgeryValidationException)
            {
                return Results.Text("Sign-out needs the form's antiforgery token: use the Sign out button.\n",
                    "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
            }
            // End this sign-in on the server too: a copy of the cookie must not outlive the sign-out.
            var current = await context.AuthenticateAsync(DashboardClaims.Scheme);
            var recorded = true;
            if (current.Principal?.FindFirst(DashboardClaims.SignInId)?.Value is { } signIn)
            {
                // Remembered as long as any copy could live, a renewed one included.
                var time = context.RequestServices.GetRequiredService<TimeProvider>();
                try
                {
                    context.RequestServices.GetRequiredService<EndedSignIns>().End(signIn, time.GetUtcNow() + CookieLifetime);
                }
                catch (SecurityDatabaseException)
                {
                    // Signed out here all the same; the sign-in page says what could not be done.
                    recorded = false;
                }
            }
            await context.SignOutAsync(DashboardClaims.Scheme);
            var login = context.Request.PathBase.Add(LoginPath).ToUriComponent();
            return Results.LocalRedirect(recorded ? login : login + "?reason=" + Components.Pages.Account.LoginPage.SignOutNotRecordedReason);
        })
        // Signing out must work even when the cookie has already been refused.
        .AllowAnonymous()
        .ExcludeFromDescription();

    /// <summary>
    /// A return address only if it stays on this site: a path that starts with one <c>/</c> (not <c>//</c>
    /// or <c>/\</c>, which browsers read as another host) and holds no control characters. Otherwise null.
    /// </summary>
    public static string? LocalReturnUrl(string? url)
    {
        if (string.IsNullOrEmpty(url) || url[0] != '/' || url.Length > 2048)
        {
            return null;
        }
        if (url.Length > 1 && url[1] is '/' or '\\')
        {
            return null;
        }
        return url.Any(char.IsControl) ? null : AsciiOnly(url);
    }

    /// <summary>
    /// Percent-encodes (UTF-8) every character outside printable ASCII: the address goes into a
    /// <c>Location</c> header, where a raw <c>é</c> made the sign-in answer 500. Browsers decode it back.
    /// </summary>
    private static string AsciiOnly(string url)
    {
        if (url.All(c => c is > ' ' and < '\x7f'))
        {
            return url;
        }
        var builder = new System.Text.StringBuilder(url.Length * 2);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in url.EnumerateRunes())
        {
            if (rune.Value is > ' ' and < 0x7f)
            {
                builder.Append((char)rune.Value);
                continue;
            }
            var count = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..count])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }
}
