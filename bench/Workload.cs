using Dashboard.Core.Sessions;
using Dashboard.Core.Store;

namespace Dashboard.Bench;

/// <summary>
/// The benchmark population: client <c>client-{i}</c>, online, anonymous, MQTT 3.1.1, a distinct peer
/// address, and three subscriptions: <c>devices/{i}/cmd</c>, <c>devices/{i}/config</c> (one subscriber
/// each) and <c>fleet/{i % 100}/broadcast</c> (shared by one client in a hundred).
/// </summary>
internal static class Workload
{
    public const string Node = "bench@host";
    public const int EventsPerClient = 4;
    public const int BatchSize = 256;

    private static readonly ReadOnlyMemory<byte> Payload = "{\"temperature\":21.5}"u8.ToArray();

    public static QueueKey Key(int client) => new("", ClientId(client));

    public static string ClientId(int client) => $"client-{client}";

    public static string CommandTopic(int client) => $"devices/{client}/cmd";

    public static string ConfigTopic(int client) => $"devices/{client}/config";

    public static string FleetTopic(int client) => $"fleet/{client % 100}/broadcast";

    /// <summary>Connect plus three subscribes for each client, in client order. Strings are fresh per event, as from the wire.</summary>
    public static StoreEvent[] ConnectAndSubscribe(int clients, int subscriptions = 3)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subscriptions, 3);
        var events = new StoreEvent[clients * (1 + subscriptions)];
        var next = 0;
        for (var i = 0; i < clients; i++)
        {
            next = AddClient(events, next, i, subscriptions);
        }
        return events;
    }

    /// <summary>Builds a store of <paramref name="clients"/> online queues, applying events in batches without keeping them.</summary>
    public static SessionStore Build(int clients, int subscriptions = 3, int batchSize = BatchSize)
    {
        var store = new SessionStore(Node);
        Fill(store, clients, subscriptions, batchSize);
        return store;
    }

    /// <summary>Adds <paramref name="clients"/> online queues to an existing store (the app's, in <c>grid-load</c>).</summary>
    public static void Fill(SessionStore store, int clients, int subscriptions = 3, int batchSize = BatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subscriptions, 3);
        var perClient = 1 + subscriptions;
        var batch = new StoreEvent[Math.Max(1, batchSize / perClient) * perClient];
        var count = 0;
        for (var i = 0; i < clients; i++)
        {
            count = AddClient(batch, count, i, subscriptions);
            if (count == batch.Length)
            {
                Apply(store, batch, batchSize);
                count = 0;
            }
        }
        Apply(store, batch.AsSpan(0, count), batchSize);
    }

    private static void Apply(SessionStore store, ReadOnlySpan<StoreEvent> events, int batchSize)
    {
        if (batchSize > 1)
        {
            store.Apply(events);
            return;
        }
        foreach (var storeEvent in events)
        {
            store.Apply(storeEvent);
        }
    }

    /// <summary>
    /// A steady-state mix on an existing store: groups of eight events for a random client (subscribe,
    /// queue, go offline, queue, come back online, deliver two, unsubscribe), which leave the store as
    /// it was. Per event: 25% queued, 25% delivered, 12.5% each offline, online, subscribe, unsubscribe.
    /// </summary>
    public static StoreEvent[] SteadyMix(int clients, int events, int seed = 42)
    {
        var random = new Random(seed);
        var mix = new StoreEvent[events / 8 * 8];
        for (var next = 0; next < mix.Length;)
        {
            var client = random.Next(clients);
            var key = Key(client);
            var extra = $"devices/{client}/ota";
            var first = new QueuedMessage($"m{next}", 1, CommandTopic(client), false, Payload);
            var second = new QueuedMessage($"m{next + 1}", 1, FleetTopic(client), false, Payload);
            mix[next++] = new SubscriptionAdded(key, new Subscription(extra, 1));
            mix[next++] = new MessageQueued(key, first);
            mix[next++] = new ClientDisconnected(key);
            mix[next++] = new MessageQueued(key, second);
            mix[next++] = Connect(key, client);
            mix[next++] = new MessageDelivered(key, first.MsgRef);
            mix[next++] = new MessageDelivered(key, second.MsgRef);
            mix[next++] = new SubscriptionRemoved(key, extra);
        }
        return mix;
    }

    private static int AddClient(StoreEvent[] events, int next, int client, int subscriptions)
    {
        var key = Key(client);
        events[next++] = Connect(key, client);
        string[] topics = [CommandTopic(client), ConfigTopic(client), FleetTopic(client)];
        for (var s = 0; s < subscriptions; s++)
        {
            events[next++] = new SubscriptionAdded(key, new Subscription(topics[s], s % 3));
        }
        return next;
    }

    private static ClientConnected Connect(QueueKey key, int client) =>
        new(key, CleanSession: false, User: null, PeerHost: $"10.{(client >> 16) & 255}.{(client >> 8) & 255}.{client & 255}",
            PeerPort: 1024 + (client % 60000), Protocol: 4);
}
