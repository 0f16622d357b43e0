using System.Net;
using System.Net.Sockets;
using Dashboard.Cli;
using Dashboard.Tests.Api;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.Tests.Cli;

/// <summary><c>Dashboard session disconnect|reauthorize</c> against the real app, and the client's own errors.</summary>
public sealed class SessionClientTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("session-cli-").FullName;
    private ApiTestHost _api = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        var acl = Path.Combine(_folder, "vmq.acl");
        File.WriteAllText(acl, "user username\ntopic read some/#\nuser narrow\ntopic read some/topic\n");
        _api = ApiTestHost.Start(("Broker:AclFile", acl));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string url, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SessionClient.RunAsync(args, url, ApiTestHost.MgmtKey, output, error, cancellationToken: Cancel);
        return (exitCode, output.ToString(), error.ToString());
    }

    private async Task<IMqttClient> ConnectAsync(string clientId, params string[] topics)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _api.Host.MqttPort)
            .WithClientId(clientId).WithCredentials("username", "any").WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(false).Build(), Cancel);
        foreach (var topic in topics)
        {
            await client.SubscribeAsync(topic, cancellationToken: Cancel);
        }
        await _api.WaitForAsync(clientId, q => q is { IsOnline: true } && q.Subscriptions.Length == topics.Length, "online with its subscriptions");
        return client;
    }

    [Fact]
    public async Task Disconnect_SeedExampleWithCleanup_PrintsDoneAndRemovesTheSession()
    {
        using var client = await ConnectAsync("client1", "some/topic");

        var (exitCode, output, error) = await RunAsync(_api.Host.HttpUrl.ToString(), "disconnect", "client-id=client1", "--cleanup");

        Assert.Equal((0, "Done\n", ""), (exitCode, output, error));
        await _api.WaitForAsync("client1", q => q is null, "session removed");
    }

    [Fact]
    public async Task Disconnect_FormatJson_PrintsTheApiJsonAndKeepsTheQueue()
    {
        using var client = await ConnectAsync("keeper", "some/topic");

        var (exitCode, output, _) = await RunAsync(_api.Host.HttpUrl.ToString(), "disconnect", "client-id=keeper", "--format=json");

        Assert.Equal((0, "{\"text\":\"Done\",\"type\":\"text\"}\n"), (exitCode, output));
        await _api.WaitForAsync("keeper", q => q is { IsOnline: false, Subscriptions.Length: 1 }, "offline with its subscription kept");
    }

    [Fact]
    public async Task Reauthorize_SeedExample_PrintsUnchangedThenDone()
    {
        using var client = await ConnectAsync("client1", "some/topic", "some/other/topic2");
        var url = _api.Host.HttpUrl.ToString();

        var unchanged = await RunAsync(url, "reauthorize", "username=username", "client-id=client1");
        var done = await RunAsync(url, "reauthorize", "username=narrow", "client-id=client1");

        Assert.Equal((0, "Unchanged\n", ""), unchanged);
        Assert.Equal((0, "Done\n", ""), done);
        Assert.Equal(["some/topic"], _api.Host.Store.Get(new("", "client1"))!.Subscriptions.Select(s => s.Topic));
    }

    [Fact]
    public async Task Run_UnreachableServer_ExitsNonZeroWithOneLine()
    {
        // A port this test holds (bound, never listening) for the whole test: nothing else can take it
        // in between, and a connection to it is refused.
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var (exitCode, output, error) = await RunAsync($"http://127.0.0.1:{port}", "show");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith($"Cannot reach the dashboard at http://127.0.0.1:{port}: ", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("ftp://example")]
    [InlineData("not a url")]
    public async Task Run_BadUrl_ExitsNonZero(string url)
    {
        var (exitCode, _, error) = await RunAsync(url, "show");

        Assert.Equal(1, exitCode);
        Assert.Equal($"DASHBOARD_URL is not an http(s) URL: \"{url}\"\n", error);
    }

    [Theory]
    [InlineData]
    [InlineData("list")]
    public async Task Run_UnknownSubcommand_ExitsTwoWithUsage(params string[] args)
    {
        var (exitCode, output, error) = await RunAsync("http://127.0.0.1:1", args);

        Assert.Equal((2, ""), (exitCode, output));
        Assert.StartsWith("usage: Dashboard session show", error, StringComparison.Ordinal);
    }
}
