using Dashboard.Core.Output;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Core.Query;

/// <summary>The examples of VerneMQ's documentation page "Inspecting and managing sessions" (see <see cref="Api.SeedExamples"/>), against a store set up as they describe.</summary>
public class SeedExampleTests
{
    private static SessionStore SeedStore()
    {
        var (store, _) = TestStores.Create("dev2@127.0.0.1");
        store.Connect("client1", 37094);
        store.Connect("client2", 37098);
        store.Subscribe("client2", "some/other/topic1");
        store.Subscribe("client1", "some/other/topic2");
        store.Subscribe("client1", "some/topic");
        return store;
    }

    [Fact]
    public void SessionShow_NoFlags_PrintsTheSeedTableByteForByte()
    {
        const string expected =
            "+---------+---------+----------+---------+---------+---------+\n" +
            "|client_id|is_online|mountpoint|peer_host|peer_port|  user   |\n" +
            "+---------+---------+----------+---------+---------+---------+\n" +
            "| client2 |  true   |          |127.0.0.1|  37098  |undefined|\n" +
            "| client1 |  true   |          |127.0.0.1|  37094  |undefined|\n" +
            "+---------+---------+----------+---------+---------+---------+\n";

        Assert.Equal(expected, TextTable.Render(SeedStore().Show("")));
    }

    [Fact]
    public void SessionShow_NodeAndIsOnlineOfClient1_PrintsTheSeedTable()
    {
        const string expected =
            "+---------+--------------+\n" +
            "|is_online|     node     |\n" +
            "+---------+--------------+\n" +
            "|  true   |dev2@127.0.0.1|\n" +
            "+---------+--------------+\n";

        Assert.Equal(expected, TextTable.Render(SeedStore().Show("--node --is_online --client_id=client1")));
    }

    [Fact]
    public void SessionShow_TopicAndClientId_ListsEverySubscription()
    {
        var result = SeedStore().Show("--topic --client_id");

        Assert.Equal(["client_id", "topic"], result.Columns);
        Assert.Equal(
            [("client2", "some/other/topic1"), ("client1", "some/other/topic2"), ("client1", "some/topic")],
            result.Table().Select(r => (r["client_id"], r["topic"])));
    }

    [Fact]
    public void SessionShow_TopicFilter_ListsOnlyThatTopicsClients()
    {
        var result = SeedStore().Show("--topic --client_id --topic=some/topic");

        Assert.Equal([("client1", "some/topic")], result.Table().Select(r => (r["client_id"], r["topic"])));
    }

    [Fact]
    public void SessionShow_TopicRegex_ListsMatchingSubscriptions()
    {
        var result = SeedStore().Show("--topic --client_id --topic=~some/other/.*");

        Assert.Equal(
            [("client2", "some/other/topic1"), ("client1", "some/other/topic2")],
            result.Table().Select(r => (r["client_id"], r["topic"])));
    }

    [Fact]
    public void SessionShow_QueueAndSessionStart_PrintsEpochMilliseconds()
    {
        var (store, time) = TestStores.Create("dev2@127.0.0.1");
        store.Connect("client1", 37094);
        store.Disconnect("client1");
        time.Advance(TimeSpan.FromMilliseconds(1549379974905 - 1549379963575));
        store.Connect("client1", 37100);
        const string expected =
            "+----------------+------------------+\n" +
            "|queue_started_at|session_started_at|\n" +
            "+----------------+------------------+\n" +
            "| 1549379963575  |  1549379974905   |\n" +
            "+----------------+------------------+\n";

        Assert.Equal(expected, TextTable.Render(store.Show("--client_id=client1 --queue_started_at --session_started_at")));
    }

    [Fact]
    public void SessionShow_DefaultLimit_Returns100RowsPerNode()
    {
        var (store, _) = TestStores.Create();
        for (var i = 0; i < 150; i++)
        {
            store.Connect($"c{i:D3}", i);
        }

        var result = store.Show("");

        Assert.Equal(100, result.Rows.Count);
        Assert.True(result.LimitReached);
    }
}
