using System.Threading.RateLimiting;
using Dashboard.Hosting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// Caps sign-in attempts (<c>POST /login</c>) and wall-link uses (<c>GET /wall?token=</c>) per client
/// address, <c>Auth:SignInAttemptsPerMinute</c> (default 30) each minute. The per-user lockout stops
/// guessing one password; this stops one address from filling the audit log (every attempt is an entry,
/// with a synchronous disk write) or guessing across many user names.
/// </summary>
internal static class SignInRateLimit
{
    public static IServiceCollection AddSignInRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AuthOptions>>((options, auth) =>
        {
            var perMinute = auth.Value.SignInAttemptsPerMinute;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, cancellationToken) =>
            {
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                return new ValueTask(context.HttpContext.Response.WriteAsync(
                    "Too many sign-in attempts from this address: wait a minute and try again.", cancellationToken));
            };
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => IsAttempt(context.Request)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter(""));
        });
        return services;
    }

    private static bool IsAttempt(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method) && request.Path.Equals("/login", StringComparison.OrdinalIgnoreCase))
        || (HttpMethods.IsGet(request.Method) && request.Path.Equals(WallTokenSignIn.WallPath, StringComparison.OrdinalIgnoreCase)
            && request.Query.ContainsKey("token"));
}
