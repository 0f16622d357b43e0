using MQTTnet;

namespace Dashboard.Tests.Core.Broker;

/// <summary>What a test client received, readable while deliveries go on.</summary>
internal sealed class ReceivedMessages
{
    private readonly List<(string Topic, string Payload)> _messages = [];

    public ReceivedMessages(IMqttClient client) => client.ApplicationMessageReceivedAsync += e =>
    {
        lock (_messages)
        {
            _messages.Add((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString()));
        }
        return Task.CompletedTask;
    };

    public IReadOnlyList<string> Topics => Snapshot().Select(m => m.Topic).ToList();

    public IReadOnlyList<string> Payloads => Snapshot().Select(m => m.Payload).ToList();

    /// <summary>
    /// Waits until a message on <paramref name="topic"/> arrived. Publish a probe the client does
    /// receive after the one it must not: once the probe is in, the other would have been too.
    /// </summary>
    public async Task WaitForTopicAsync(string topic)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!Topics.Contains(topic))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no message on {topic} arrived; got [{string.Join(", ", Topics)}]");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private List<(string Topic, string Payload)> Snapshot()
    {
        lock (_messages)
        {
            return [.. _messages];
        }
    }
}
