using Dashboard.Hosting;
using Dashboard.Tests.Hosting;
using Dashboard.VerneMq;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.VerneMq;

public class VerneMqSettingsTests
{
    [Fact]
    public void From_MessageDetailsUpToUnset_TwoThousand()
    {
        Assert.Equal(2000, Settings().MessageDetailsUpTo);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("500", 500)]
    [InlineData(" 10000 ", 10000)]
    public void From_MessageDetailsUpToWholeNumber_Taken(string text, int expected)
    {
        Assert.Equal(expected, Settings("VerneMQ:MessageDetailsUpTo=" + text).MessageDetailsUpTo);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public void From_MessageDetailsUpToNotACount_OneLineNamingTheKey(string text)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Settings("VerneMQ:MessageDetailsUpTo=" + text));

        Assert.StartsWith($"VerneMQ:MessageDetailsUpTo \"{text}\" is not", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void From_StaleHookAfterUnsetOrGiven_ThirtySecondsOrTheValue()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Settings().StaleHookAfter);
        Assert.Equal(TimeSpan.FromSeconds(6), Settings("VerneMQ:StaleHookAfter=00:00:06").StaleHookAfter);
    }

    [Fact]
    public void From_StaleHookAfterBelowOneSecond_OneLineNamingTheKey()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Settings("VerneMQ:StaleHookAfter=00:00:00.5"));

        Assert.StartsWith("VerneMQ:StaleHookAfter ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void From_WebhookSecretUnset_OneGeneratedPerStart_OrTheConfiguredOne()
    {
        var first = Settings().WebhookSecret;
        Assert.True(first.Length >= 16, first);
        Assert.NotEqual(first, Settings().WebhookSecret);
        Assert.Equal("a-secret-of-sixteen-or-more", Settings("VerneMQ:WebhookSecret=a-secret-of-sixteen-or-more").WebhookSecret);
    }

    private static VerneMqSettings Settings(params string[] extra) =>
        VerneMqSettings.From(SettingsHost.Options<VerneMqOptions>([.. SettingsHost.VerneMqRequired, .. extra]));
}
