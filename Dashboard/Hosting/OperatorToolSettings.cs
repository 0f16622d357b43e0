using System.Globalization;
using Dashboard.Core.Broker;
using Dashboard.Core.Sessions;

namespace Dashboard.Hosting;

/// <summary>
/// The settings of the flapping flag and the queue-health marks (docs/operator-tools.md):
/// <c>Flapping:Connects</c>, <c>Flapping:WindowSeconds</c>, <c>QueueHealth:QueuedPercent</c> (of
/// <c>Broker:MaxQueuedMessages</c>), <c>QueueHealth:InFlight</c> and <c>QueueHealth:Dropped</c>. A value
/// out of range stops the start with a line naming the key and what it allows.
/// </summary>
public static class OperatorToolSettings
{
    public static IServiceCollection AddOperatorToolSettings(this IServiceCollection services)
    {
        services.AddSingleton(provider => Flapping(provider.GetRequiredService<IConfiguration>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => QueueHealth(provider.GetRequiredService<IConfiguration>()));
        return services;
    }

    public static FlapPolicy Flapping(IConfiguration configuration, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connects = Integer(configuration, "Flapping:Connects", FlapPolicy.DefaultConnects, 1, FlapPolicy.MaxKept - 1);
        var seconds = Integer(configuration, "Flapping:WindowSeconds", (long)FlapPolicy.DefaultWindow.TotalSeconds, 1, 86_400);
        return new FlapPolicy((int)connects, TimeSpan.FromSeconds(seconds), time);
    }

    public static QueueHealthPolicy QueueHealth(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var limit = Integer(configuration, "Broker:MaxQueuedMessages", BrokerSettings.DefaultMaxQueuedMessages, 1, int.MaxValue);
        var percent = Integer(configuration, "QueueHealth:QueuedPercent", QueueHealthPolicy.DefaultQueuedPercent, 1, 100);
        var inFlight = Integer(configuration, "QueueHealth:InFlight", QueueHealthPolicy.DefaultInFlight, 1, int.MaxValue);
        var dropped = Integer(configuration, "QueueHealth:Dropped", QueueHealthPolicy.DefaultDropped, 1, long.MaxValue);
        return QueueHealthPolicy.ForLimit(limit, (int)percent, inFlight, dropped);
    }

    /// <summary>A whole-number setting within a range, or its default when unset; anything else stops the start naming the key.</summary>
    internal static long Integer(IConfiguration configuration, string key, long defaultValue, long min, long max)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return defaultValue;
        }
        return long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new SettingException(
                string.Create(CultureInfo.InvariantCulture, $"{key} \"{text}\" is not a whole number from {min} to {max}."));
    }
}
