using MQTTnet.Diagnostics.Logger;

namespace Dashboard.Broker;

/// <summary>Sends MQTTnet's warnings and errors to the app's log; its chatter below that stays out.</summary>
internal sealed class MqttLogBridge(ILogger<MqttLogBridge> logger) : IMqttNetLogger
{
    public bool IsEnabled => true;

    public void Publish(MqttNetLogLevel logLevel, string source, string message, object[] parameters, Exception exception)
    {
        var level = logLevel switch
        {
            MqttNetLogLevel.Error => LogLevel.Error,
            MqttNetLogLevel.Warning => LogLevel.Warning,
            _ => LogLevel.None,
        };
        if (level == LogLevel.None || !logger.IsEnabled(level))
        {
            return;
        }
        var text = parameters is { Length: > 0 } ? string.Format(System.Globalization.CultureInfo.InvariantCulture, message, parameters) : message;
#pragma warning disable CA1848, CA2254 // MQTTnet hands us preformatted text; there is no fixed template to cache.
        logger.Log(level, exception, "MQTTnet {Source}: {Message}", source, text);
#pragma warning restore CA1848, CA2254
    }
}
