using System.Globalization;
using System.Net;

namespace Dashboard.Hosting;

/// <summary>Where the dashboard listens for HTTP: <c>Http:Address</c> and <c>Http:Port</c> (design.md).</summary>
public sealed record HttpEndpointSettings(IPAddress Address, int Port)
{
    public const string DefaultAddress = "127.0.0.1";
    public const int DefaultPort = 8888;

    /// <summary>
    /// Reads the section; a value that cannot be used stops start-up with a message naming the key,
    /// rather than Kestrel's less specific bind error later.
    /// </summary>
    public static HttpEndpointSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var addressText = configuration["Http:Address"];
        var portText = configuration["Http:Port"];

        var address = string.IsNullOrWhiteSpace(addressText) ? IPAddress.Loopback
            : string.Equals(addressText.Trim(), "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(addressText.Trim(), out var parsed) ? parsed
            : throw new InvalidOperationException(
                $"Http:Address \"{addressText}\" is not an IP address (for example 127.0.0.1, 0.0.0.0 or ::1).");

        var port = string.IsNullOrWhiteSpace(portText) ? DefaultPort
            : int.TryParse(portText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= IPEndPoint.MaxPort ? number
            : throw new InvalidOperationException(
                $"Http:Port \"{portText}\" is not a port number (0 to 65535; 0 picks a free port).");

        return new HttpEndpointSettings(address, port);
    }
}
