using MQTTnet;

namespace Dashboard.E2E;

/// <summary>What a real client may report when the dashboard disconnects it.</summary>
internal static class DisconnectReasons
{
    /// <summary>
    /// MQTTnet's server sends DISCONNECT with 0x98 (administrative action) and then closes the
    /// connection. Behind Kestrel the close can win the race on a busy machine, and the client sees a
    /// plain close (NormalDisconnection). Either proves the server ended it; a keep-alive timeout or an
    /// error would not.
    /// </summary>
    public static readonly MqttClientDisconnectReason[] FromServer =
        [MqttClientDisconnectReason.AdministrativeAction, MqttClientDisconnectReason.NormalDisconnection];
}
