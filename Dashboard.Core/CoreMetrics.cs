using System.Diagnostics.Metrics;

namespace Dashboard.Core;

/// <summary>
/// Core's measurements, as .NET metrics (<see cref="System.Diagnostics.Metrics"/>): whoever listens to
/// <see cref="MeterName"/> (the web app's Prometheus endpoint) gets them; nobody listening costs a
/// flag check per measurement.
/// </summary>
public static class CoreMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Dashboard.Core";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>How long <c>session show</c> queries take, in seconds.</summary>
    internal static readonly Histogram<double> QueryDuration = Meter.CreateHistogram<double>(
        "dashboard.query.duration", "s", "Time to run a session show query (grid, API, export)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    /// <summary>PUBLISH packets the embedded broker received from clients.</summary>
    internal static readonly Counter<long> MessagesReceived = Meter.CreateCounter<long>(
        "mqtt.messages.received", "{message}", "PUBLISH packets received from clients by the embedded broker");

    /// <summary>PUBLISH packets the embedded broker sent to clients.</summary>
    internal static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>(
        "mqtt.messages.sent", "{message}", "PUBLISH packets sent to clients by the embedded broker");
}
