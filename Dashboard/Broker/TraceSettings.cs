using Dashboard.Core.Broker;
using Dashboard.Hosting;

namespace Dashboard.Broker;

/// <summary>
/// The limits of live traces (docs/operator-tools.md): <c>Trace:MaxPackets</c> (1000),
/// <c>Trace:MaxMinutes</c> (10) and <c>Trace:MaxConcurrent</c> (3). A value out of range stops the start
/// with a line naming the key.
/// </summary>
internal static class TraceSettings
{
    public static TraceLimits Read(IConfiguration configuration) => new(
        (int)OperatorToolSettings.Integer(configuration, "Trace:MaxPackets", 1000, 1, 100_000),
        TimeSpan.FromMinutes(OperatorToolSettings.Integer(configuration, "Trace:MaxMinutes", 10, 1, 1440)),
        (int)OperatorToolSettings.Integer(configuration, "Trace:MaxConcurrent", 3, 1, 50));
}
