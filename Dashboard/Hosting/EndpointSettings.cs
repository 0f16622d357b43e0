using System.Globalization;
using System.Net;

namespace Dashboard.Hosting;

/// <summary>Where a listener binds: <c>{Section}:Address</c> and <c>{Section}:Port</c> for the sections <c>Http</c> and <c>Mqtt</c> (the README's Configuration table).</summary>
public sealed record EndpointSettings(IPAddress Address, int Port)
{
    public const int DefaultHttpPort = 8888;
    public const int DefaultMqttPort = 1883;

    public static EndpointSettings Http(IConfiguration configuration) => From(configuration, "Http", DefaultHttpPort);

    public static EndpointSettings Mqtt(IConfiguration configuration) => From(configuration, "Mqtt", DefaultMqttPort);

    /// <summary>
    /// Reads the section (address defaults to 127.0.0.1); a value that cannot be used stops start-up
    /// with a message naming the key, rather than Kestrel's less specific bind error later.
    /// </summary>
    public static EndpointSettings From(IConfiguration configuration, string section, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var addressText = configuration[$"{section}:Address"];
        var portText = configuration[$"{section}:Port"];

        var address = string.IsNullOrWhiteSpace(addressText) ? IPAddress.Loopback
            : string.Equals(addressText.Trim(), "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(addressText.Trim(), out var parsed) ? parsed
            : throw new SettingException(
                $"{section}:Address \"{addressText}\" is not an IP address (for example 127.0.0.1, 0.0.0.0 or ::1).");

        var port = string.IsNullOrWhiteSpace(portText) ? defaultPort
            : int.TryParse(portText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= IPEndPoint.MaxPort ? number
            : throw new SettingException(
                $"{section}:Port \"{portText}\" is not a port number (0 to 65535; 0 picks a free port).");

        return new EndpointSettings(address, port);
    }
}
