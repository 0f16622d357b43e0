using System.Security.Cryptography;
using Dashboard.Hosting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// Makes sure the <c>admin</c> user exists with the Admin role when the app starts. With
/// <c>Auth:AdminPassword</c> set, admin gets that password (a way back in after losing it); without it,
/// the first start generates one, stores it hashed and logs it once.
/// </summary>
public sealed class AdminBootstrap(UserStore users, IOptions<AuthOptions> auth, ILogger<AdminBootstrap> logger) : IHostedService
{
    public const string AdminName = "admin";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureAdmin();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void EnsureAdmin()
    {
        var configured = auth.Value.AdminPassword;
        // The options' check stops the start before this; kept for options made in code.
        if (AuthOptions.AdminPasswordProblem(configured) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
        var admin = users.Find(AdminName);
        if (admin is null)
        {
            var password = string.IsNullOrEmpty(configured) ? Generate() : configured;
            var added = users.Add(AdminName, UserRole.Admin, password, AuditActors.System);
            if (!added.IsSuccess)
            {
                throw new InvalidOperationException($"Could not create the {AdminName} user: {added.Error}");
            }
            if (string.IsNullOrEmpty(configured))
            {
                logger.LogWarning(
                    "Created the user \"{User}\" with the generated password {Password} . It is shown only this once: sign in and change it, or set Auth:AdminPassword.",
                    AdminName, password);
            }
            else
            {
                logger.LogInformation("Created the user \"{User}\" with the password from Auth:AdminPassword", AdminName);
            }
            return;
        }
        if (admin.Role != UserRole.Admin)
        {
            // admin is the way back in, so it keeps the role even if someone demoted it.
            var promoted = users.ChangeRole(AdminName, UserRole.Admin, AuditActors.System);
            if (promoted.IsSuccess)
            {
                logger.LogWarning("The user \"{User}\" had the role {Role}; it is Admin again", AdminName, admin.Role);
            }
            else
            {
                logger.LogWarning("The user \"{User}\" has the role {Role} and could not be made Admin again: {Reason}", AdminName, admin.Role, promoted.Error);
            }
        }
        // Only rewritten when different: a new hash would also change the security stamp and sign admin out at every start.
        if (!string.IsNullOrEmpty(configured) && !users.HasPassword(AdminName, configured))
        {
            // A database that is read-only at start keeps the password it has; the app starts all the same.
            var reset = users.ResetPassword(AdminName, configured, AuditActors.System);
            if (reset.IsSuccess)
            {
                logger.LogInformation("Set the password of \"{User}\" from Auth:AdminPassword", AdminName);
            }
            else
            {
                logger.LogWarning("Could not set the password of \"{User}\" from Auth:AdminPassword: {Reason}", AdminName, reset.Error);
            }
        }
    }

    // 18 random bytes: 144 bits, 24 URL-safe characters that survive copying from a log line.
    private static string Generate() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(18));
}
