using Dashboard.Core.Actions;
using Dashboard.Core.Blocks;
using Dashboard.Core.Broker;
using Dashboard.Broker.Persistence;
using Dashboard.Core.Store;
using Dashboard.Hosting;
using Dashboard.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using MQTTnet.AspNetCore;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Server;

namespace Dashboard.Broker;

/// <summary>
/// The embedded MQTTnet broker inside the Kestrel host: MQTT on <c>Mqtt:Address</c>:<c>Mqtt:Port</c>,
/// MQTT over WebSocket at <c>/mqtt</c> on the HTTP port, VerneMQ's auth files, and the tracker that
/// feeds the session store. Configuration is read when the services are built, so test hosts can
/// override it.
/// </summary>
internal static partial class BrokerHosting
{
    public static WebApplicationBuilder AddEmbeddedBroker(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IMqttNetLogger, MqttLogBridge>();
        services.AddSingleton(provider =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            var connectTimeout = configuration.GetValue("Broker:ConnectTimeout", BrokerSettings.DefaultConnectTimeout);
            if (connectTimeout <= TimeSpan.Zero)
            {
                throw new InvalidOperationException($"Broker:ConnectTimeout \"{connectTimeout}\" must be positive (for example 00:00:10).");
            }
            return new BrokerSettings
            {
                MaxQueuedMessages = configuration.GetValue("Broker:MaxQueuedMessages", BrokerSettings.DefaultMaxQueuedMessages),
                ConnectTimeout = connectTimeout,
            };
        });
        // Kestrel owns the sockets (below); the broker gets no listener of its own.
        services.AddSingleton(provider => provider.GetRequiredService<BrokerSettings>()
            .Configure(new MqttServerOptionsBuilder().WithoutDefaultEndpoint()).Build());
        services.AddHostedMqttServer();
        services.AddSingleton(provider => new ClientTracer(TraceSettings.Read(provider.GetRequiredService<IConfiguration>()),
            provider.GetRequiredService<TimeProvider>()));
        // In place of MQTTnet's AddMqttConnectionHandler: the same, plus client ids for nameless MQTT 3.x clients.
        services.AddSingleton<MqttConnections>();
        services.AddSingleton<IMqttServerAdapter>(provider => provider.GetRequiredService<MqttConnections>());
        services.AddConnections();
        services.AddSingleton(provider =>
        {
            var path = provider.GetRequiredService<IConfiguration>()["Data:Path"];
            return new SessionJournal(string.IsNullOrWhiteSpace(path) ? "./data" : path, provider.GetRequiredService<SessionStore>(),
                provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<SessionJournal>>());
        });
        services.AddSingleton(provider => new SessionTracker(
            provider.GetRequiredService<SessionStore>(), provider.GetService<ILogger<SessionTracker>>(), provider.GetRequiredService<SessionJournal>()));
        services.AddSingleton<SessionRestore>();
        services.AddSingleton(provider => new OfflineQos0Filter(
            provider.GetRequiredService<IConfiguration>().GetValue("Broker:QueueQos0Messages", false)));
        services.AddSingleton(provider => new AuthWatchers(
            provider.GetRequiredService<IConfiguration>(), provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(provider =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            var maxClientId = configuration.GetValue("Broker:MaxClientIdLength", BrokerAuthorizer.DefaultMaxClientIdBytes);
            if (maxClientId is < 1 or > 65_535)
            {
                throw new InvalidOperationException($"Broker:MaxClientIdLength \"{maxClientId}\" must be between 1 and 65535 (bytes of UTF-8).");
            }
            // The block store loads the stored blocks into the list as it is made, before any client connects.
            provider.GetRequiredService<ClientBlockStore>();
            return provider.GetRequiredService<AuthWatchers>().CreateAuthorizer(configuration.GetValue("Broker:AllowAnonymous", true), maxClientId,
                MqttTls.IdentityAsUsername(configuration), provider.GetRequiredService<ClientBlockList>(), provider.GetRequiredService<TimeProvider>());
        });
        // Blocks: only the embedded broker can enforce them (docs/blocking.md).
        services.AddSingleton<ClientBlockList>();
        services.AddSingleton<ClientBlockStore>();
        services.AddScoped<ClientBlocking>();
        services.AddAuditedSessionControl(provider => new MqttSessionControl(
            provider.GetRequiredService<MqttServer>(),
            provider.GetRequiredService<SessionStore>(),
            provider.GetRequiredService<SessionTracker>(),
            provider.GetRequiredService<BrokerAuthorizer>()));

        services.AddSingleton<IReadinessProbe, BrokerReadiness>();
        services.AddSingleton<MqttEndpoint>();
        services.AddSingleton<MqttTlsEndpoint>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var mqtt = EndpointSettings.Mqtt(context.Configuration);
            var tls = MqttTls.From(context.Configuration, kestrel.ApplicationServices.GetRequiredService<TimeProvider>(),
                kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Dashboard.Broker.Tls"));
            // Mqtt:Plain=false: MQTT over TLS only (docs/deploying.md); refused without TLS, which would leave no listener.
            if (PlainMqtt(context.Configuration, tls is not null))
            {
                var endpoint = kestrel.ApplicationServices.GetRequiredService<MqttEndpoint>();
                kestrel.Listen(mqtt.Address, mqtt.Port, listen =>
                {
                    listen.UseMqttTransportGuard().UseConnectionHandler<MqttConnections>();
                    endpoint.Attach(listen);
                });
            }
            if (tls is not null)
            {
                var tlsEndpoint = kestrel.ApplicationServices.GetRequiredService<MqttTlsEndpoint>();
                kestrel.Listen(mqtt.Address, tls.Port, listen =>
                {
                    listen.UseHttps(tls.HttpsOptions());
                    listen.UseMqttTransportGuard().UseConnectionHandler<MqttConnections>();
                    tlsEndpoint.Attach(listen);
                });
            }
        });
        return builder;
    }

    public static WebApplication UseEmbeddedBroker(this WebApplication app)
    {
        var journal = app.Services.GetRequiredService<SessionJournal>();
        var restored = journal.Load();
        var connections = app.Services.GetRequiredService<MqttConnections>();
        var tracker = app.Services.GetRequiredService<SessionTracker>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Dashboard.Broker");
        app.UseMqttServer(server =>
        {
            server.LoadingRetainedMessageAsync += args =>
            {
                args.LoadedRetainedMessages = [.. journal.LoadedRetained];
                return Task.CompletedTask;
            };
            journal.Expire = clientId => ExpireAsync(server, tracker, clientId);
            // The saved sessions first, while no client can connect and no handler sees the restoring
            // connections (docs/persistence.md); then the checks and the tracker, then the clients.
            server.StartedAsync += async _ =>
            {
                try
                {
                    await app.Services.GetRequiredService<SessionRestore>().RunAsync(server, connections.ClientHandler!, restored);
                }
                catch (Exception exception)
                {
                    LogRestoreFailed(logger, exception);
                }
                // Authorisation first: the tracker must not record a client the checks refuse.
                app.Services.GetRequiredService<BrokerAuthorizer>().Attach(server);
                app.Services.GetRequiredService<OfflineQos0Filter>().Attach(server);
                tracker.Attach(server);
                connections.Open();
            };
        });
        // With port 0 the ports are known only now; operators and the tests that start the app as a
        // process read them from this line.
        app.Lifetime.ApplicationStarted.Register(() => LogListening(
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Dashboard.Broker"),
            app.Services.GetRequiredService<MqttEndpoint>().EndPoint?.ToString() ?? "off",
            app.Services.GetRequiredService<HttpEndpoint>().Url?.ToString().TrimEnd('/') ?? "(not bound)"));
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (app.Services.GetRequiredService<MqttTlsEndpoint>().EndPoint is { } tlsEndPoint)
            {
                LogTlsListening(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Dashboard.Broker"), tlsEndPoint.ToString());
            }
        });
        app.UseWebSockets();
        // MQTT clients authenticate in the MQTT protocol (the password file), not with the dashboard's
        // sign-in. MQTTnet's MapMqtt is not used: it offers every SignalR transport (long polling too) and
        // gives no place for the input guard that the TCP listener has.
        var options = new HttpConnectionDispatcherOptions { Transports = HttpTransportType.WebSockets };
        options.WebSockets.SubProtocolSelector = MqttSubProtocolSelector.SelectSubProtocol;
        app.MapConnections("/mqtt", options, connection => connection.UseMqttTransportGuard().UseConnectionHandler<MqttConnections>()).AllowAnonymous();
        return app;
    }

    /// <summary>Deletes an expired session through the broker; one the broker no longer holds leaves the store and the journal directly.</summary>
    private static async Task ExpireAsync(MqttServer server, SessionTracker tracker, string clientId)
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

    private static bool PlainMqtt(IConfiguration configuration, bool tls)
    {
        var text = configuration["Mqtt:Plain"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (!bool.TryParse(text.Trim(), out var plain))
        {
            throw new SettingException($"Mqtt:Plain \"{text}\" is not true or false.");
        }
        return plain || tls
            ? plain
            : throw new SettingException("Mqtt:Plain \"false\" needs Mqtt:Tls:Certificate: without MQTT over TLS the broker would have no listener.");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Restoring the saved sessions failed; the broker starts with those restored so far")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT over TLS listening on mqtts://{MqttTlsEndPoint}")]
    private static partial void LogTlsListening(ILogger logger, string mqttTlsEndPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT broker listening on mqtt://{MqttEndPoint} and {HttpUrl}/mqtt (WebSocket); dashboard at {HttpUrl}")]
    private static partial void LogListening(ILogger logger, string mqttEndPoint, string httpUrl);
}

/// <summary>The embedded broker is ready once it runs and lets clients in (the saved sessions are restored) and its session file takes writes.</summary>
internal sealed class BrokerReadiness(MqttServer server, MqttConnections connections, SessionJournal journal) : IReadinessProbe
{
    public string? Problem() =>
        !server.IsStarted || !connections.IsOpen ? "the MQTT broker has not started"
        : journal.Problem is { } problem ? "the session file does not take writes: " + problem.Message
        : null;
}
