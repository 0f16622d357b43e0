namespace Dashboard.Core.Sessions;

/// <summary>A subscription of a queue.</summary>
/// <param name="Topic">The topic filter.</param>
/// <param name="Qos">Granted QoS 0–2.</param>
/// <param name="RetainAsPublished">MQTT 5 option; null for MQTT 3.x.</param>
/// <param name="NoLocal">MQTT 5 option; null for MQTT 3.x.</param>
public sealed record Subscription(string Topic, int Qos, bool? RetainAsPublished = null, bool? NoLocal = null);
