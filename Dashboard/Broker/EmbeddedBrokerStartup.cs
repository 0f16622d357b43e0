using Dashboard.Broker.Persistence;
using Dashboard.Core.Broker;
using Dashboard.Hosting;
using MQTTnet.Server;

namespace Dashboard.Broker;

/// <summary>
/// Readies the embedded broker when the app starts, before the broker runs (MQTTnet starts it once the
/// app has started): opens the session file, whose writer runs from then on, and hooks the broker's
/// events. When the broker runs, the saved sessions are restored first, while no client can connect and
/// no handler sees the restoring connections (docs/persistence.md); then the checks and the tracker
/// attach, then clients are let in. Also logs where the broker listens.
/// </summary>
internal sealed partial class EmbeddedBrokerStartup(
    IServiceProvider services,
    MqttServer server,
    SessionJournal journal,
    MqttConnections connections,
    SessionTracker tracker,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger _logger = loggers.CreateLogger("Dashboard.Broker");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Made now, while the app starts, not when the broker's started event runs later on its own: the
        // authorizer's block store reads the stored blocks from the security database as it is made, and a
        // database that cannot be read must stop the start with its reason here, not leave the broker closed
        // to every client or fail the first request that happens to make it (docs/reliability.md).
        var authorizer = services.GetRequiredService<BrokerAuthorizer>();
        var qos0Filter = services.GetRequiredService<OfflineQos0Filter>();
        var restored = journal.Load();
        server.LoadingRetainedMessageAsync += args =>
        {
            args.LoadedRetainedMessages = [.. journal.LoadedRetained];
            return Task.CompletedTask;
        };
        journal.Expire = clientId => ExpireAsync(clientId);
        server.StartedAsync += async _ =>
        {
            try
            {
                await services.GetRequiredService<SessionRestore>().RunAsync(server, connections.ClientHandler!, restored);
            }
            catch (Exception exception)
            {
                LogRestoreFailed(_logger, exception);
            }
            // Authorisation first: the tracker must not record a client the checks refuse.
            authorizer.Attach(server);
            qos0Filter.Attach(server);
            tracker.Attach(server);
            connections.Open();
        };
        // With port 0 the ports are known only now; operators and the tests that start the app as a
        // process read them from this line.
        lifetime.ApplicationStarted.Register(() => LogListening(_logger,
            services.GetRequiredService<MqttEndpoint>().EndPoint?.ToString() ?? "off",
            services.GetRequiredService<HttpEndpoint>().Url?.ToString().TrimEnd('/') ?? "(not bound)"));
        lifetime.ApplicationStarted.Register(() =>
        {
            if (services.GetRequiredService<MqttTlsEndpoint>().EndPoint is { } tlsEndPoint)
            {
                LogTlsListening(_logger, tlsEndPoint.ToString());
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deletes an expired session through the broker; one the broker no longer holds leaves the store and the journal directly.</summary>
    private async Task ExpireAsync(string clientId)
    {
        MqttSessionStatus status;
        try
        {
            status = await server.GetSessionAsync(clientId);
        }
        catch (InvalidOperationException)
        {
            await tracker.ForgetAsync(clientId);
            return;
        }
        await status.DeleteAsync();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Restoring the saved sessions failed; the broker starts with those restored so far")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT over TLS listening on mqtts://{MqttTlsEndPoint}")]
    private static partial void LogTlsListening(ILogger logger, string mqttTlsEndPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT broker listening on mqtt://{MqttEndPoint} and {HttpUrl}/mqtt (WebSocket); dashboard at {HttpUrl}")]
    private static partial void LogListening(ILogger logger, string mqttEndPoint, string httpUrl);
}
