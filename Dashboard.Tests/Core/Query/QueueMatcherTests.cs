using Dashboard.Core.Query;

namespace Dashboard.Tests.Core.Query;

public class QueueMatcherTests
{
    [Theory]
    [InlineData("", true)]
    [InlineData("--client_id=~^sensor-", true)]
    [InlineData("--client_id=sensor-1 --is_online=true", true)]
    [InlineData("--is_online=false", false)]
    [InlineData("--topic=plant/temp", true)]
    [InlineData("--topic=plant/other", false)]
    [InlineData("--user=alice", true)]
    [InlineData("--client_id=~^printer-", false)]
    public void Matches_Query_AgreesWithTheEngine(string query, bool expected)
    {
        var (store, _) = TestStores.Create();
        store.Connect("sensor-1", 1, user: "alice");
        store.Subscribe("sensor-1", "plant/temp");
        var matcher = QueueMatcher.Parse(query);
        Assert.True(matcher.IsSuccess, matcher.Error);
        var queue = store.Get(TestStores.Key("sensor-1"))!;

        Assert.Equal(expected, matcher.Value.Matches(store.NodeName, queue));
        Assert.Equal(expected, store.Show(query).Rows.Count > 0);
    }

    [Fact]
    public void Parse_BadQuery_GivesTheParserMessage()
    {
        var matcher = QueueMatcher.Parse("--nope=1");

        Assert.Equal("Invalid key: \"nope\"", matcher.Error);
    }
}
