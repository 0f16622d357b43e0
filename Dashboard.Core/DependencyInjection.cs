using Dashboard.Core.Live;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Dashboard.Core;

/// <summary>Registration of Core's services.</summary>
public static class DependencyInjection
{
    /// <summary>
    /// Adds the node's <see cref="SessionStore"/> (singleton: the one source of truth), its
    /// <see cref="SessionActivity"/> (connects per minute, online history), its <see cref="SessionHistory"/>
    /// (each client's recent online/offline events), its <see cref="FlapMonitor"/> and a <see cref="TimeProvider"/>.
    /// A <see cref="FlapPolicy"/> and a <see cref="QueueHealthPolicy"/> registered before are the store's.
    /// </summary>
    public static IServiceCollection AddDashboardCore(this IServiceCollection services, string nodeName)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new SessionStore(
            nodeName,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILogger<SessionStore>>(),
            provider.GetService<FlapPolicy>(),
            provider.GetService<QueueHealthPolicy>()));
        services.AddSingleton(provider => new FlapMonitor(provider.GetRequiredService<SessionStore>()));
        services.AddSingleton(provider => new SessionActivity(
            provider.GetRequiredService<SessionStore>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new SessionHistory(
            provider.GetRequiredService<SessionStore>(),
            provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
