using Dashboard.Core.Actions;
using Dashboard.Core.Broker;
using Dashboard.Core.Store;
using Dashboard.Hosting;
using Dashboard.Security;
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
internal static class BrokerHosting
{
    public static WebApplicationBuilder AddEmbeddedBroker(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IMqttNetLogger, MqttLogBridge>();
        services.AddSingleton(provider => new BrokerSettings
        {
            MaxQueuedMessages = provider.GetRequiredService<IConfiguration>().GetValue("Broker:MaxQueuedMessages", BrokerSettings.DefaultMaxQueuedMessages),
        });
        // Kestrel owns the sockets (below); the broker gets no listener of its own.
        services.AddSingleton(provider => provider.GetRequiredService<BrokerSettings>()
            .Configure(new MqttServerOptionsBuilder().WithoutDefaultEndpoint()).Build());
        services.AddHostedMqttServer();
        services.AddMqttConnectionHandler();
        services.AddConnections();
        services.AddSingleton(provider => new SessionTracker(
            provider.GetRequiredService<SessionStore>(), provider.GetService<ILogger<SessionTracker>>()));
        services.AddSingleton(provider => new AuthWatchers(
            provider.GetRequiredService<IConfiguration>(), provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(provider => provider.GetRequiredService<AuthWatchers>().CreateAuthorizer(
            provider.GetRequiredService<IConfiguration>().GetValue("Broker:AllowAnonymous", true)));
        services.AddAuditedSessionControl(provider => new MqttSessionControl(
            provider.GetRequiredService<MqttServer>(),
            provider.GetRequiredService<SessionStore>(),
            provider.GetRequiredService<SessionTracker>(),
            provider.GetRequiredService<BrokerAuthorizer>()));

        services.AddSingleton<MqttEndpoint>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var mqtt = EndpointSettings.Mqtt(context.Configuration);
            var endpoint = kestrel.ApplicationServices.GetRequiredService<MqttEndpoint>();
            kestrel.Listen(mqtt.Address, mqtt.Port, listen =>
            {
                listen.UseMqtt();
                endpoint.Attach(listen);
            });
        });
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
        // MQTT clients authenticate in the MQTT protocol (the password file), not with the dashboard's
        // sign-in. MapMqtt returns nothing to attach that to, so it is mapped inside a group that says it.
        app.MapGroup("").AllowAnonymous().MapMqtt("/mqtt");
        return app;
    }
}
