namespace Dashboard.E2E;

/// <summary>
/// Another in-process dashboard on the shared cluster, with its own VerneMQ API key and settings of the
/// test's own (added after the defaults); its hooks are removed when it is disposed, as at a graceful stop.
/// </summary>
internal sealed class OtherVerneMqDashboard(VerneMqCluster cluster, string apiKey, params (string Key, string Value)[] extra) : DashboardApp
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Source:Kind", "VerneMQ"),
        new("VerneMQ:Nodes:0:Url", cluster.Nodes[0].HttpUrl.ToString()),
        new("VerneMQ:Nodes:1:Url", cluster.Nodes[1].HttpUrl.ToString()),
        new("VerneMQ:ApiKey", apiKey),
        new("Api:Keys:0:Key", VerneMqDashboardApp.DashboardKey),
        new("Api:Keys:0:Scope", "mgmt"),
        .. extra.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)),
    ];
}
