namespace Dashboard.E2E;

/// <summary>
/// The dashboard with <c>Source:Kind=VerneMQ</c>, pointed at a real 2-node <see cref="VerneMqCluster"/>
/// started for it. Shared by the VerneMQ test classes (one cluster per run: a node takes 10 s to start).
/// </summary>
public sealed class VerneMqDashboardApp : DashboardApp
{
    /// <summary>A key of this dashboard's own API (scope mgmt).</summary>
    public const string DashboardKey = "e2e-dashboard-mgmt-key-0123456789";

    public VerneMqCluster Cluster { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Source:Kind", "VerneMQ"),
        new("VerneMQ:Nodes:0:Url", Cluster.Nodes[0].HttpUrl.ToString()),
        new("VerneMQ:Nodes:1:Url", Cluster.Nodes[1].HttpUrl.ToString()),
        new("VerneMQ:ApiKey", VerneMqCluster.ApiKey),
        // Short, so that the tests of a stopped and restarted node see the mirror catch up soon.
        new("VerneMQ:ResyncInterval", "00:00:03"),
        new("Api:Keys:0:Key", DashboardKey),
        new("Api:Keys:0:Scope", "mgmt"),
    ];

    public override async ValueTask InitializeAsync()
    {
        await Cluster.StartAsync();
        if (Cluster.SkipReason is null)
        {
            await base.InitializeAsync();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Cluster.SkipReason is null)
        {
            await base.DisposeAsync();
        }
        await Cluster.DisposeAsync();
    }

    /// <summary>Skips the calling test, with the reason, when no VerneMQ could be started.</summary>
    public void SkipWithoutVerneMq()
    {
        if (Cluster.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class VerneMqCollection : ICollectionFixture<VerneMqDashboardApp>
{
    public const string Name = "VerneMQ cluster";
}
