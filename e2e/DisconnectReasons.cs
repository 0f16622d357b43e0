using MQTTnet;

namespace Dashboard.E2E;

/// <summary>What a real client must report when the dashboard disconnects it.</summary>
internal static class DisconnectReasons
{
    /// <summary>
    /// The README promises that Disconnect closes the connection with reason 0x98 (administrative
    /// action) for MQTT 5 clients, so an MQTT 5 client must see exactly that: a plain close
    /// (NormalDisconnection) would mean the DISCONNECT packet was lost.
    /// </summary>
    public const MqttClientDisconnectReason ForMqtt5 = MqttClientDisconnectReason.AdministrativeAction;
}
