using System.Net;
using Dashboard.Core.Actions;
using Dashboard.Core.Blocks;
using Dashboard.Core.Broker;
using Dashboard.Broker.Persistence;
using Dashboard.Core.Store;
using Dashboard.Hosting;
using Dashboard.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using MQTTnet.AspNetCore;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Server;

namespace Dashboard.Broker;

/// <summary>
/// The embedded MQTTnet broker inside the Kestrel host: MQTT on <c>Mqtt:Address</c>:<c>Mqtt:Port</c>,
/// MQTT over WebSocket at <c>/mqtt</c> on the HTTP port, VerneMQ's auth files, and the tracker that
/// feeds the session store. Settings come from the options (<see cref="BrokerOptions"/>,
/// <see cref="MqttOptions"/>), read when the services are built, so test hosts can override them.
/// </summary>
internal static class BrokerHosting
{
    public static WebApplicationBuilder AddEmbeddedBroker(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IMqttNetLogger, MqttLogBridge>();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<BrokerOptions>>().Value.Settings());
        // Kestrel owns the sockets (below); the broker gets no listener of its own.
        services.AddSingleton(provider => provider.GetRequiredService<BrokerSettings>()
            .Configure(new MqttServerOptionsBuilder().WithoutDefaultEndpoint()).Build());
        // Before the broker's own hosted service: the saved sessions and the broker's events are ready first.
        services.AddHostedService<EmbeddedBrokerStartup>();
        services.AddHostedMqttServer();
        services.AddSingleton(provider => new ClientTracer(provider.GetRequiredService<IOptions<TraceOptions>>().Value.Limits(),
            provider.GetRequiredService<TimeProvider>()));
        // In place of MQTTnet's AddMqttConnectionHandler: the same, plus client ids for nameless MQTT 3.x clients.
        services.AddSingleton<MqttConnections>();
        services.AddSingleton<IMqttServerAdapter>(provider => provider.GetRequiredService<MqttConnections>());
        services.AddConnections();
        services.AddSingleton(provider => new SessionJournal(provider.GetRequiredService<IOptions<DataOptions>>().Value.Path,
            provider.GetRequiredService<SessionStore>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<SessionJournal>>()));
        services.AddSingleton(provider => new SessionTracker(
            provider.GetRequiredService<SessionStore>(), provider.GetService<ILogger<SessionTracker>>(), provider.GetRequiredService<SessionJournal>()));
        services.AddSingleton<SessionRestore>();
        services.AddSingleton(provider => new OfflineQos0Filter(provider.GetRequiredService<IOptions<BrokerOptions>>().Value.QueueQos0Messages));
        services.AddSingleton(provider => new AuthWatchers(
            provider.GetRequiredService<IOptions<BrokerOptions>>().Value, provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(provider =>
        {
            var broker = provider.GetRequiredService<IOptions<BrokerOptions>>().Value;
            // The block store loads the stored blocks into the list as it is made, before any client connects.
            provider.GetRequiredService<ClientBlockStore>();
            return provider.GetRequiredService<AuthWatchers>().CreateAuthorizer(broker.AllowAnonymous, broker.MaxClientIdLength,
                provider.GetRequiredService<IOptions<MqttOptions>>().Value.Tls.UseIdentityAsUsername,
                provider.GetRequiredService<ClientBlockList>(), provider.GetRequiredService<TimeProvider>());
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
        var mqttListeners = new MqttListenSocket();
        services.AddOptions<SocketTransportOptions>().Configure<IOptions<MqttOptions>>((sockets, mqtt) =>
            sockets.CreateBoundListenSocket = endpoint => mqttListeners.Create(endpoint, mqtt.Value));
        builder.WebHost.ConfigureKestrel((_, kestrel) =>
        {
            var mqtt = kestrel.ApplicationServices.GetRequiredService<IOptions<MqttOptions>>().Value;
            var tls = MqttTls.From(mqtt.Tls, kestrel.ApplicationServices.GetRequiredService<TimeProvider>(),
                kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Dashboard.Broker.Tls"));
            // Mqtt:Plain=false: MQTT over TLS only (docs/deploying.md); the options refuse it without TLS, which would leave no listener.
            if (mqtt.Plain)
            {
                var endpoint = kestrel.ApplicationServices.GetRequiredService<MqttEndpoint>();
                kestrel.Listen(mqttListeners.Add(new IPEndPoint(mqtt.Address, mqtt.Port)), listen =>
                {
                    listen.UseMqttTransportGuard().UseConnectionHandler<MqttConnections>();
                    endpoint.Attach(listen);
                });
            }
            if (tls is not null)
            {
                var tlsEndpoint = kestrel.ApplicationServices.GetRequiredService<MqttTlsEndpoint>();
                kestrel.Listen(mqttListeners.Add(new IPEndPoint(mqtt.Address, tls.Port)), listen =>
                {
                    listen.UseHttps(tls.HttpsOptions());
                    listen.UseMqttTransportGuard().UseConnectionHandler<MqttConnections>();
                    tlsEndpoint.Attach(listen);
                });
            }
        });
        return builder;
    }

    /// <summary>MQTT over WebSocket at <c>/mqtt</c> on the HTTP port; the broker itself starts with the app (<see cref="EmbeddedBrokerStartup"/>).</summary>
    public static WebApplication UseEmbeddedBroker(this WebApplication app)
    {
        app.UseWebSockets();
        // MQTT clients authenticate in the MQTT protocol (the password file), not with the dashboard's
        // sign-in. MQTTnet's MapMqtt is not used: it offers every SignalR transport (long polling too) and
        // gives no place for the input guard that the TCP listener has.
        var options = new HttpConnectionDispatcherOptions { Transports = HttpTransportType.WebSockets };
        options.WebSockets.SubProtocolSelector = MqttSubProtocolSelector.SelectSubProtocol;
        app.MapConnections("/mqtt", options, connection => connection.UseMqttTransportGuard().UseConnectionHandler<MqttConnections>()).AllowAnonymous();
        return app;
    }
}

/// <summary>The embedded broker is ready once it runs and lets clients in (the saved sessions are restored) and its session file takes writes.</summary>
internal sealed class BrokerReadiness(MqttServer server, MqttConnections connections, SessionJournal journal) : IReadinessProbe
{
    public string? Problem() =>
        !server.IsStarted || !connections.IsOpen ? "the MQTT broker has not started"
        : journal.Problem is { } problem ? "the session file does not take writes: " + problem.Message
        : null;
}
