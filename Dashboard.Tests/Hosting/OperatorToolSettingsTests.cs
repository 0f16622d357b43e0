using Dashboard.Broker;
using Dashboard.Hosting;
using Microsoft.Extensions.Configuration;

namespace Dashboard.Tests.Hosting;

public class OperatorToolSettingsTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Defaults_AreFiveConnectsInFiveMinutes_EightyPercentOfTheQueueLimit_AndTraceLimits()
    {
        var flapping = OperatorToolSettings.Flapping(Settings(), TimeProvider.System);
        Assert.Equal((5, TimeSpan.FromMinutes(5)), (flapping.Connects, flapping.Window));
        Assert.Equal(new Dashboard.Core.Sessions.QueueHealthPolicy(800, 100, 1), OperatorToolSettings.QueueHealth(Settings()));
        var trace = TraceSettings.Read(Settings());
        Assert.Equal((1000, TimeSpan.FromMinutes(10), 3), (trace.MaxPackets, trace.Duration, trace.MaxConcurrent));
    }

    [Fact]
    public void Configured_QueuedShareIsOfTheBrokersQueueLimit()
    {
        var health = OperatorToolSettings.QueueHealth(Settings(("Broker:MaxQueuedMessages", "200"), ("QueueHealth:QueuedPercent", "50"),
            ("QueueHealth:InFlight", "7"), ("QueueHealth:Dropped", "3")));
        Assert.Equal(new Dashboard.Core.Sessions.QueueHealthPolicy(100, 7, 3), health);
    }

    [Theory]
    [InlineData("Flapping:Connects", "0", "Flapping:Connects \"0\" is not a whole number from 1 to 999.")]
    [InlineData("Flapping:WindowSeconds", "five", "Flapping:WindowSeconds \"five\" is not a whole number from 1 to 86400.")]
    [InlineData("QueueHealth:QueuedPercent", "150", "QueueHealth:QueuedPercent \"150\" is not a whole number from 1 to 100.")]
    [InlineData("QueueHealth:Dropped", "-1", "QueueHealth:Dropped \"-1\" is not a whole number from 1 to 9223372036854775807.")]
    public void BadValue_StopsTheStartWithALineNamingTheKey(string key, string value, string message)
    {
        var error = Assert.Throws<SettingException>(() =>
        {
            OperatorToolSettings.Flapping(Settings((key, value)), TimeProvider.System);
            OperatorToolSettings.QueueHealth(Settings((key, value)));
        });
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void BadTraceLimit_StopsTheStartWithALineNamingTheKey()
    {
        var error = Assert.Throws<SettingException>(() => TraceSettings.Read(Settings(("Trace:MaxConcurrent", "0"))));
        Assert.Equal("Trace:MaxConcurrent \"0\" is not a whole number from 1 to 50.", error.Message);
    }
}
