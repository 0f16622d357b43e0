using Dashboard.Core.Actions;
using Dashboard.Hosting;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

public static class SecurityHosting
{
    /// <summary>
    /// The SQLite database under <c>Data:Path</c> (default <c>./data</c>) and the stores on it, all
    /// singletons (each operation opens its own pooled connection); the scoped actor; the admin bootstrap.
    /// </summary>
    public static IServiceCollection AddDashboardSecurity(this IServiceCollection services)
    {
        services.AddSingleton(provider => new SecurityDatabase(provider.GetRequiredService<IOptions<DataOptions>>().Value.Path));
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<WallTokenStore>();
        services.AddSingleton<EndedSignIns>();
        services.AddHttpContextAccessor();
        services.AddScoped<IActorAccessor, ActorAccessor>();
        services.AddHostedService<AdminBootstrap>();
        // The admin pages, /audit and /export/audit ask for these policies and AuthorizeView reads the
        // cascading state; both registrations only add entries, so sign-in registering them again is harmless.
        services.AddDashboardPolicies();
        services.AddCascadingAuthenticationState();
        return services;
    }

    /// <summary>
    /// Registers <paramref name="control"/> as the broker's actions and <see cref="ISessionControl"/>
    /// (scoped, so it knows who acts) as the audited wrapper around it: every caller, UI or API, goes through the audit.
    /// </summary>
    public static IServiceCollection AddAuditedSessionControl<TControl>(this IServiceCollection services, Func<IServiceProvider, TControl> control)
        where TControl : class, ISessionControl
    {
        services.AddSingleton(control);
        services.AddScoped<ISessionControl>(provider => new AuditedSessionControl(
            provider.GetRequiredService<TControl>(),
            provider.GetRequiredService<AuditLog>(),
            provider.GetRequiredService<IActorAccessor>(),
            provider.GetRequiredService<PrincipalValidator>().IsCurrent));
        return services;
    }
}
