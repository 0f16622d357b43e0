using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;

namespace Dashboard.Broker;

/// <summary>
/// Sends MQTTnet's warnings and errors to the app's log; its chatter below that stays out. A connection
/// that a client broke (garbage, a truncated packet, a reset) is the client's fault, not the broker's:
/// MQTTnet reports it as an error with a stack trace, which lets anyone who can open a socket fill the
/// log, so it is logged at Debug with its message only.
/// </summary>
internal sealed class MqttLogBridge(ILogger<MqttLogBridge> logger) : IMqttNetLogger
{
    public bool IsEnabled => true;

    public void Publish(MqttNetLogLevel logLevel, string source, string message, object[] parameters, Exception exception)
    {
        var clientFault = exception is MqttCommunicationException;
        var level = clientFault ? LogLevel.Debug : logLevel switch
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
        logger.Log(level, clientFault ? null : exception, "MQTTnet {Source}: {Message}", source, text);
#pragma warning restore CA1848, CA2254
    }
}
