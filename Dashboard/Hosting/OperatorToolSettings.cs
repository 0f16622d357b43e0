using Microsoft.Extensions.Options;

namespace Dashboard.Hosting;

/// <summary>
/// The policies of the flapping flag and the queue-health marks (docs/operator-tools.md), made from
/// <see cref="FlappingOptions"/> and <see cref="QueueHealthOptions"/> (whose queued share is of
/// <c>Broker:MaxQueuedMessages</c>); the store takes them when they are registered before it is made.
/// </summary>
public static class OperatorToolSettings
{
    public static IServiceCollection AddOperatorToolSettings(this IServiceCollection services)
    {
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<FlappingOptions>>().Value.Policy(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<QueueHealthOptions>>().Value.Policy(
            provider.GetRequiredService<IOptions<BrokerOptions>>().Value.MaxQueuedMessages));
        return services;
    }
}
