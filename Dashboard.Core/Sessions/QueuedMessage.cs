namespace Dashboard.Core.Sessions;

/// <summary>A message waiting in a queue for delivery.</summary>
/// <param name="MsgRef">Unique reference of the message within the node.</param>
/// <param name="Qos">QoS the message is delivered with.</param>
/// <param name="RoutingKey">The topic it was published to.</param>
/// <param name="Dup">Whether it is a redelivery.</param>
/// <param name="Payload">The raw payload bytes.</param>
public sealed record QueuedMessage(string MsgRef, int Qos, string RoutingKey, bool Dup, ReadOnlyMemory<byte> Payload);
