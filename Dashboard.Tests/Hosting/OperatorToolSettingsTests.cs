using Dashboard.Core.Broker;
using Dashboard.Core.Sessions;
using Dashboard.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Hosting;

public class OperatorToolSettingsTests
{
    private static ServiceProvider Policies(params (string Key, string Value)[] values) =>
        SettingsHost.Services(false, [.. values.Select(v => $"{v.Key}={v.Value}")]).AddOperatorToolSettings().BuildServiceProvider();

    private static TraceLimits Trace(params (string Key, string Value)[] values) =>
        SettingsHost.Options<TraceOptions>([.. values.Select(v => $"{v.Key}={v.Value}")]).Limits();

    [Fact]
    public void Defaults_AreFiveConnectsInFiveMinutes_EightyPercentOfTheQueueLimit_AndTraceLimits()
    {
        using var policies = Policies();
        var flapping = policies.GetRequiredService<FlapPolicy>();
        Assert.Equal((5, TimeSpan.FromMinutes(5)), (flapping.Connects, flapping.Window));
        Assert.Equal(new QueueHealthPolicy(800, 100, 1), policies.GetRequiredService<QueueHealthPolicy>());
        var trace = Trace();
        Assert.Equal((1000, TimeSpan.FromMinutes(10), 3), (trace.MaxPackets, trace.Duration, trace.MaxConcurrent));
    }

    [Fact]
    public void Configured_QueuedShareIsOfTheBrokersQueueLimit()
    {
        using var policies = Policies(("Broker:MaxQueuedMessages", "200"), ("QueueHealth:QueuedPercent", "50"),
            ("QueueHealth:InFlight", "7"), ("QueueHealth:Dropped", "3"));
        Assert.Equal(new QueueHealthPolicy(100, 7, 3), policies.GetRequiredService<QueueHealthPolicy>());
    }

    [Theory]
    [InlineData("Flapping:Connects", "0", "Flapping:Connects \"0\" is not a whole number from 1 to 999.")]
    [InlineData("Flapping:WindowSeconds", "five", "Flapping:WindowSeconds \"five\" is not a whole number from 1 to 86400.")]
    [InlineData("QueueHealth:QueuedPercent", "150", "QueueHealth:QueuedPercent \"150\" is not a whole number from 1 to 100.")]
    [InlineData("QueueHealth:Dropped", "-1", "QueueHealth:Dropped \"-1\" is not a whole number from 1 to 9223372036854775807.")]
    public void BadValue_StopsTheStartWithALineNamingTheKey(string key, string value, string message)
    {
        using var policies = Policies((key, value));
        var error = Assert.Throws<OptionsValidationException>(() =>
        {
            policies.GetRequiredService<FlapPolicy>();
            policies.GetRequiredService<QueueHealthPolicy>();
        });
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void BadTraceLimit_StopsTheStartWithALineNamingTheKey()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Trace(("Trace:MaxConcurrent", "0")));
        Assert.Equal("Trace:MaxConcurrent \"0\" is not a whole number from 1 to 50.", error.Message);
    }
}
