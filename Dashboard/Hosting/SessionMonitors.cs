using Dashboard.Core.Live;

namespace Dashboard.Hosting;

/// <summary>
/// Starts the node's activity counters, per-client histories and flapping monitor with the app rather
/// than on first use, so that connects per minute and the histories cover its whole life. Registered
/// before the session sources, so they follow the store before anything feeds it.
/// </summary>
internal sealed class SessionMonitors(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Each follows the store from its construction on.
        services.GetRequiredService<SessionActivity>();
        services.GetRequiredService<SessionHistory>();
        services.GetRequiredService<FlapMonitor>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
