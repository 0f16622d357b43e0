using System.Net;
using Dashboard.Core.Actions;
using Dashboard.Core.Broker;
using Dashboard.Core.Store;
using MQTTnet.AspNetCore;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Server;

namespace Dashboard.Broker;

/// <summary>
/// The embedded MQTTnet broker inside the Kestrel host: MQTT on <c>Mqtt:Address</c>:<c>Mqtt:Port</c>,
/// MQTT over WebSocket at <c>/mqtt</c> on the HTTP port, VerneMQ's auth files, and the tracker that
/// feeds the session store.
/// </summary>
internal static class BrokerHosting
{
    public static WebApplicationBuilder AddEmbeddedBroker(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var settings = new BrokerSettings
        {
            MaxQueuedMessages = configuration.GetValue("Broker:MaxQueuedMessages", BrokerSettings.DefaultMaxQueuedMessages),
        };
        var services = builder.Services;
        services.AddSingleton<IMqttNetLogger, MqttLogBridge>();
        // Kestrel owns the sockets (below); the broker gets no listener of its own.
        services.AddHostedMqttServer(options => settings.Configure(options.WithoutDefaultEndpoint()));
        services.AddMqttConnectionHandler();
        services.AddConnections();
        services.AddSingleton(provider => new SessionTracker(
            provider.GetRequiredService<SessionStore>(), provider.GetService<ILogger<SessionTracker>>()));
        services.AddSingleton(provider => new AuthWatchers(configuration, provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(provider => provider.GetRequiredService<AuthWatchers>().CreateAuthorizer(
            configuration.GetValue("Broker:AllowAnonymous", true)));
        services.AddSingleton<ISessionControl>(provider => new MqttSessionControl(
            provider.GetRequiredService<MqttServer>(),
            provider.GetRequiredService<SessionStore>(),
            provider.GetRequiredService<SessionTracker>(),
            provider.GetRequiredService<BrokerAuthorizer>()));

        var address = IPAddress.Parse(configuration.GetValue("Mqtt:Address", "127.0.0.1")!);
        var port = configuration.GetValue("Mqtt:Port", 1883);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port, listen => listen.UseMqtt()));
        return builder;
    }

    public static WebApplication UseEmbeddedBroker(this WebApplication app)
    {
        app.UseMqttServer(server =>
        {
            // Authorisation first: the tracker must not record a client the checks refuse.
            app.Services.GetRequiredService<BrokerAuthorizer>().Attach(server);
            app.Services.GetRequiredService<SessionTracker>().Attach(server);
        });
        app.UseWebSockets();
        app.MapMqtt("/mqtt");
        return app;
    }
}
