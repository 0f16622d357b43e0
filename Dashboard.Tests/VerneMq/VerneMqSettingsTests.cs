using Dashboard.VerneMq;
using Microsoft.Extensions.Configuration;

namespace Dashboard.Tests.VerneMq;

public class VerneMqSettingsTests
{
    [Fact]
    public void From_MessageDetailsUpToUnset_TwoThousand()
    {
        Assert.Equal(2000, VerneMqSettings.From(Configuration()).MessageDetailsUpTo);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("500", 500)]
    [InlineData(" 10000 ", 10000)]
    public void From_MessageDetailsUpToWholeNumber_Taken(string text, int expected)
    {
        Assert.Equal(expected, VerneMqSettings.From(Configuration(("VerneMQ:MessageDetailsUpTo", text))).MessageDetailsUpTo);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public void From_MessageDetailsUpToNotACount_OneLineNamingTheKey(string text)
    {
        var error = Assert.Throws<InvalidOperationException>(() => VerneMqSettings.From(Configuration(("VerneMQ:MessageDetailsUpTo", text))));

        Assert.StartsWith($"VerneMQ:MessageDetailsUpTo \"{text}\" is not", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void From_StaleHookAfterUnsetOrGiven_ThirtySecondsOrTheValue()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), VerneMqSettings.From(Configuration()).StaleHookAfter);
        Assert.Equal(TimeSpan.FromSeconds(6), VerneMqSettings.From(Configuration(("VerneMQ:StaleHookAfter", "00:00:06"))).StaleHookAfter);
    }

    [Fact]
    public void From_StaleHookAfterBelowOneSecond_OneLineNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => VerneMqSettings.From(Configuration(("VerneMQ:StaleHookAfter", "00:00:00.5"))));

        Assert.StartsWith("VerneMQ:StaleHookAfter ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] extra) =>
        new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?>
            {
                ["VerneMQ:Nodes:0:Url"] = "http://127.0.0.1:8888",
                ["VerneMQ:ApiKey"] = "a-key-for-the-settings-test",
            }.Concat(extra.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)))).Build();
}
