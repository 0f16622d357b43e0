using System.Text;
using Dashboard.Core.Broker;
using Dashboard.Core.Store;
using MQTTnet;
using MQTTnet.Protocol;

namespace Dashboard.Tests.Core.Broker;

/// <summary>
/// A publisher's PUBACK waits until the journal says the message is written (docs/persistence.md,
/// docs/broker.md "The durable wait"): a real broker and real clients, with a journal the test controls.
/// </summary>
public class DurableAcknowledgementTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Publish_ToPersistentSubscriber_PubAckOnlyOnceTheJournalWroteTheMessage()
    {
        var journal = new HeldJournal();
        await using var broker = await BrokerHarness.StartAsync(journal: journal);
        try
        {
            var subscriber = await broker.ConnectAsync("keeper");
            var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            subscriber.ApplicationMessageReceivedAsync += _ =>
            {
                received.TrySetResult();
                return Task.CompletedTask;
            };
            await subscriber.SubscribeAsync("plant/1", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
            var publisher = await broker.ConnectAsync("sensor", clean: true);

            var publishing = publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("plant/1").WithPayload("42 C")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Cancel);

            // The message went all the way round (queued, sent, acknowledged by the subscriber) while the
            // journal holds every batch: by now an acknowledgement that did not wait would have come.
            await received.Task.WaitAsync(Generous, Cancel);
            await WaitUntilAsync(broker, () => journal.Changes.OfType<MessageDelivered>().Any(d => d.Key.ClientId == "keeper"),
                "the subscriber's acknowledgement reached the journal");
            var queued = Assert.Single(journal.Changes.OfType<MessageQueued>());
            Assert.Equal("42 C", Encoding.UTF8.GetString(queued.Message.Payload.Span));
            Assert.False(publishing.IsCompleted, "the publisher had its PUBACK before the journal wrote the message");

            journal.WriteAll();
            var result = await publishing.WaitAsync(Generous, Cancel);
            Assert.True(result.IsSuccess);
        }
        finally
        {
            journal.WriteAll();
        }
    }

    [Fact]
    public async Task Publish_ToCleanSessionSubscriber_PubAckDoesNotWaitForTheJournal()
    {
        var journal = new HeldJournal();
        await using var broker = await BrokerHarness.StartAsync(journal: journal);
        try
        {
            var subscriber = await broker.ConnectAsync("viewer", clean: true);
            await subscriber.SubscribeAsync("plant/2", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
            var publisher = await broker.ConnectAsync("sensor", clean: true);

            // Nothing of a clean session is saved, so nothing is there to wait for, held journal or not.
            var result = await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("plant/2").WithPayload("7")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Cancel).WaitAsync(Generous, Cancel);

            Assert.True(result.IsSuccess);
        }
        finally
        {
            journal.WriteAll();
        }
    }

    [Fact]
    public async Task Publish_AnotherPublishersMessageUnwritten_PubAckWaitsOnlyForItsOwnMessages()
    {
        var journal = new HeldJournal();
        await using var broker = await BrokerHarness.StartAsync(journal: journal);
        try
        {
            var subscriber = await broker.ConnectAsync("keeper");
            await subscriber.SubscribeAsync("plant/kept/#", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
            var first = await broker.ConnectAsync("sensor-a", clean: true);
            var second = await broker.ConnectAsync("sensor-b", clean: true);

            // sensor-a's first message is queued for the persistent subscriber: its PUBACK waits.
            var kept = first.PublishAsync(Message("plant/kept/a", "1"), Cancel);
            await WaitUntilAsync(broker, () => journal.Changes.OfType<MessageQueued>().Count() == 1, "sensor-a's message reached the journal");
            var writtenUpTo = journal.HeldUpTo;
            // sensor-b's message is queued too, in a later batch, and stays unwritten.
            var other = second.PublishAsync(Message("plant/kept/b", "2"), Cancel);
            await WaitUntilAsync(broker, () => journal.Changes.OfType<MessageQueued>().Count() == 2, "sensor-b's message reached the journal");
            // sensor-a's second message goes to no persistent session: nothing of it must be written.
            var unkept = first.PublishAsync(Message("plant/other", "3"), Cancel);

            journal.Write(upTo: writtenUpTo);
            Assert.True((await kept.WaitAsync(Generous, Cancel)).IsSuccess);
            Assert.True((await unkept.WaitAsync(Generous, Cancel)).IsSuccess);
            Assert.False(other.IsCompleted, "sensor-b had its PUBACK before the journal wrote its message");

            journal.WriteAll();
            Assert.True((await other.WaitAsync(Generous, Cancel)).IsSuccess);
        }
        finally
        {
            journal.WriteAll();
        }
    }

    [Fact]
    public async Task Disconnect_PublishersGoneWithTheirMessagesWritten_NothingOfThemIsKept()
    {
        var journal = new HeldJournal();
        await using var broker = await BrokerHarness.StartAsync(journal: journal);
        try
        {
            var subscriber = await broker.ConnectAsync("keeper");
            await subscriber.SubscribeAsync("plant/kept/#", MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
            var early = await broker.ConnectAsync("sensor-early", clean: true);
            var late = await broker.ConnectAsync("sensor-late", clean: true);

            // sensor-early asks to leave while its message is still being written (MQTTnet ends its
            // connection once the held PUBACK went); sensor-late leaves after its PUBACK.
            _ = early.PublishAsync(Message("plant/kept/early", "1"), Cancel);
            var written = late.PublishAsync(Message("plant/kept/late", "2"), Cancel);
            await WaitUntilAsync(broker, () => journal.Changes.OfType<MessageQueued>().Count() == 2, "both messages reached the journal");
            Assert.Equal(2, broker.Tracker.RememberedPublishers);
            var leaving = early.DisconnectAsync(cancellationToken: Cancel);
            journal.WriteAll();
            await written.WaitAsync(Generous, Cancel);
            await leaving.WaitAsync(Generous, Cancel);
            await late.DisconnectAsync(cancellationToken: Cancel);

            await WaitUntilAsync(broker, () => broker.Tracker.RememberedPublishers == 0, "both publishers were forgotten");
        }
        finally
        {
            journal.WriteAll();
        }
    }

    private static MqttApplicationMessage Message(string topic, string payload) => new MqttApplicationMessageBuilder()
        .WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    [Fact]
    public async Task WaitAsync_CompletesOnceEveryNumberUpToItsOwnIsWritten()
    {
        var waits = new DurableWaits();
        var third = waits.WaitAsync(3);
        var fifth = waits.WaitAsync(5);

        waits.MarkWritten(2);
        Assert.False(third.IsCompleted);
        waits.MarkWritten(4);
        await third.WaitAsync(Generous, Cancel);
        Assert.False(fifth.IsCompleted);
        waits.MarkWritten(3);
        Assert.False(fifth.IsCompleted);
        Assert.True(waits.WaitAsync(4).IsCompleted);

        waits.MarkWritten(5);
        await fifth.WaitAsync(Generous, Cancel);
        Assert.Equal(5, waits.Written);
    }

    private static async Task WaitUntilAsync(BrokerHarness broker, Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (true)
        {
            // Once drained, every batch recorded so far has reached the journal.
            await broker.Tracker.DrainAsync(Cancel);
            if (condition())
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {because}");
            await Task.Delay(20, Cancel);
        }
    }

    /// <summary>A journal that keeps what it is given and says it is written only when the test lets it.</summary>
    private sealed class HeldJournal : ISessionJournal
    {
        private readonly Lock _lock = new();
        private readonly List<StoreEvent> _changes = [];
        private readonly List<DurableMark> _held = [];
        private bool _holding = true;

        public IReadOnlyList<StoreEvent> Changes
        {
            get
            {
                lock (_lock)
                {
                    return [.. _changes];
                }
            }
        }

        public ValueTask AppendAsync(StoreEvent[] changes, RetainedChange[] retained, DurableMark durable)
        {
            lock (_lock)
            {
                _changes.AddRange(changes);
                if (_holding)
                {
                    _held.Add(durable);
                    return ValueTask.CompletedTask;
                }
            }
            durable.Written();
            return ValueTask.CompletedTask;
        }

        /// <summary>The highest mark held so far.</summary>
        public long HeldUpTo
        {
            get
            {
                lock (_lock)
                {
                    return _held.Count == 0 ? 0 : _held.Max(m => m.UpTo);
                }
            }
        }

        /// <summary>Says the batches held up to <paramref name="upTo"/> are written; later ones stay held.</summary>
        public void Write(long upTo)
        {
            DurableMark[] written;
            lock (_lock)
            {
                written = [.. _held.Where(m => m.UpTo <= upTo)];
                _held.RemoveAll(m => m.UpTo <= upTo);
            }
            foreach (var mark in written)
            {
                mark.Written();
            }
        }

        /// <summary>Says every batch so far is written, and every later one as it comes.</summary>
        public void WriteAll()
        {
            DurableMark[] held;
            lock (_lock)
            {
                _holding = false;
                held = [.. _held];
                _held.Clear();
            }
            foreach (var mark in held)
            {
                mark.Written();
            }
        }
    }
}
