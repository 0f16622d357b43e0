using Dashboard.Core.Query;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Core;

/// <summary>Builds stores the way the broker feeds them, with time under the test's control.</summary>
internal static class TestStores
{
    public static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1549379963575);

    public static (SessionStore Store, FakeTimeProvider Time) Create(string node = "dev2@127.0.0.1")
    {
        var time = new FakeTimeProvider(Start);
        return (new SessionStore(node, time), time);
    }

    public static QueueKey Key(string clientId, string mountpoint = "") => new(mountpoint, clientId);

    public static void Connect(this SessionStore store, string clientId, int port, bool clean = false,
        string? user = null, int protocol = 4, string host = "127.0.0.1", string mountpoint = "") =>
        store.Apply(new ClientConnected(Key(clientId, mountpoint), clean, user, host, port, protocol));

    public static void Subscribe(this SessionStore store, string clientId, string topic, int qos = 0, string mountpoint = "") =>
        store.Apply(new SubscriptionAdded(Key(clientId, mountpoint), new Subscription(topic, qos)));

    public static void Disconnect(this SessionStore store, string clientId, string mountpoint = "") =>
        store.Apply(new ClientDisconnected(Key(clientId, mountpoint)));

    public static void Queue(this SessionStore store, string clientId, string msgRef, string routingKey, string payload, int qos = 1) =>
        store.Apply(new MessageQueued(Key(clientId), new QueuedMessage(msgRef, qos, routingKey, false, System.Text.Encoding.UTF8.GetBytes(payload))));

    public static QueryResult Show(this SessionStore store, string text)
    {
        var query = QueryParser.ParseText(text);
        Assert.True(query.IsSuccess, query.Error);
        var result = QueryEngine.Run(query.Value, store);
        Assert.True(result.IsSuccess, result.Error);
        return result.Value;
    }

    /// <summary>Rows as column→text dictionaries, for readable assertions.</summary>
    public static List<Dictionary<string, string>> Table(this QueryResult result) =>
        [.. result.Rows.Select(row => result.Columns.Select((c, i) => (c, i))
            .ToDictionary(p => p.c, p => Dashboard.Core.Output.ValueText.Plain(row[p.i])))];

    public static string[] Column(this QueryResult result, string column)
    {
        var index = result.Columns.ToList().IndexOf(column);
        Assert.True(index >= 0, $"no column {column}");
        return [.. result.Rows.Select(r => Dashboard.Core.Output.ValueText.Plain(r[index]))];
    }
}
