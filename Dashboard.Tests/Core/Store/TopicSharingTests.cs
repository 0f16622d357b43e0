using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Store;

/// <summary>
/// Subscribers of the same topic share one subscription object (and one topic string) when their
/// options are equal: memory per queue, and what lets a query match each shared topic once.
/// </summary>
public class TopicSharingTests
{
    // A new string object each time, as topics arrive from the wire.
    private static string Fresh(string text) => new(text.AsSpan());

    private static Subscription Held(SessionStore store, string clientId, string topic) =>
        store.Get(TestStores.Key(clientId))!.Subscriptions.Single(s => s.Topic == topic);

    [Fact]
    public void SameTopicAndOptions_SubscribersShareOneSubscription()
    {
        var (store, _) = TestStores.Create();
        foreach (var client in (string[])["a", "b", "c"])
        {
            store.Connect(client, 1);
            store.Subscribe(client, Fresh("fleet/1"), qos: 1);
        }

        Assert.Same(Held(store, "a", "fleet/1"), Held(store, "b", "fleet/1"));
        Assert.Same(Held(store, "a", "fleet/1"), Held(store, "c", "fleet/1"));
        Assert.Equal(new Subscription("fleet/1", 1), Held(store, "c", "fleet/1"));
    }

    [Fact]
    public void OtherOptions_OwnSubscription_SharedTopicString()
    {
        var (store, _) = TestStores.Create();
        store.Connect("a", 1);
        store.Subscribe("a", Fresh("fleet/1"), qos: 1);
        store.Connect("b", 2);
        store.Subscribe("b", Fresh("fleet/1"), qos: 2);

        Assert.NotSame(Held(store, "a", "fleet/1"), Held(store, "b", "fleet/1"));
        Assert.Equal(2, Held(store, "b", "fleet/1").Qos);
        Assert.Same(Held(store, "a", "fleet/1").Topic, Held(store, "b", "fleet/1").Topic);
    }

    [Fact]
    public void FirstSubscriberLeaves_OthersStillShare_IndexStillFindsThem()
    {
        var (store, _) = TestStores.Create();
        foreach (var client in (string[])["a", "b"])
        {
            store.Connect(client, 1);
            store.Subscribe(client, Fresh("fleet/1"));
        }
        store.Apply(new SubscriptionRemoved(TestStores.Key("a"), "fleet/1"));
        store.Connect("c", 3);
        store.Subscribe("c", Fresh("fleet/1"));

        Assert.Same(Held(store, "b", "fleet/1"), Held(store, "c", "fleet/1"));
        Assert.Equal(["c", "b"], store.Show("--topic=fleet/1 --client_id").Column("client_id"));
    }

    [Fact]
    public void QosChangedBackAndForth_SharesAgainAndReportsEachChange()
    {
        var (store, _) = TestStores.Create();
        var changes = new List<SessionChange>();
        store.Subscribe(batch => changes.AddRange(batch));
        store.Connect("a", 1);
        store.Subscribe("a", Fresh("fleet/1"));
        store.Connect("b", 2);
        store.Subscribe("b", Fresh("fleet/1"));
        changes.Clear();

        store.Subscribe("b", Fresh("fleet/1"), qos: 1);
        store.Subscribe("b", Fresh("fleet/1"), qos: 0);
        // The same options again change nothing.
        store.Subscribe("b", Fresh("fleet/1"), qos: 0);

        Assert.Equal([ChangeKind.Subscribed, ChangeKind.Subscribed], changes.Select(c => c.Kind));
        Assert.Same(Held(store, "a", "fleet/1"), Held(store, "b", "fleet/1"));
    }

    [Fact]
    public void MirroredQueues_ShareLikeBrokerOnes()
    {
        var (store, _) = TestStores.Create();
        foreach (var client in (string[])["m1", "m2"])
        {
            store.Apply(new QueueMirrored(TestStores.Key(client),
                new MirroredQueue("vmq@host", null, 1, false, null, [new Subscription(Fresh("shared/x"), 1), new Subscription(Fresh($"own/{client}"), 0)], [])));
        }

        Assert.Same(Held(store, "m1", "shared/x"), Held(store, "m2", "shared/x"));
        Assert.Equal(["m2", "m1"], store.Show("--topic=shared/x --client_id").Column("client_id"));
    }
}
