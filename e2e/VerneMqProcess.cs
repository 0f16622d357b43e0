namespace Dashboard.E2E;

/// <summary>
/// The dashboard as its own process with <c>Source:Kind=VerneMQ</c> on the shared cluster, so a test can
/// kill it (SIGKILL: nothing runs at shutdown) and start it again with the same settings and data folder.
/// Each start picks a new port, and gets a new webhook secret, as a real restart on port 0 would.
/// </summary>
internal sealed class VerneMqProcess(VerneMqCluster cluster, params string[] extra) : AppProcess
{
    protected override bool KeepPorts => false;

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Source:Kind=VerneMQ",
        $"--VerneMQ:Nodes:0:Url={cluster.Nodes[0].HttpUrl}",
        $"--VerneMQ:Nodes:1:Url={cluster.Nodes[1].HttpUrl}",
        $"--VerneMQ:ApiKey={VerneMqCluster.ApiKey}",
        $"--Api:Keys:0:Key={VerneMqDashboardApp.DashboardKey}",
        "--Api:Keys:0:Scope=mgmt",
        .. extra,
    ];
}
