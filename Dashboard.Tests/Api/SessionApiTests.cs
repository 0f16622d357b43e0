using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.Tests.Api;

/// <summary>Actions, keys and every error case of docs/query-language.md and the README's API section over real HTTP against the real app.</summary>
public sealed class SessionApiTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("session-api-").FullName;
    private ApiTestHost _api = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        // Anyone may publish to some/reauth; user u may subscribe to all of it, user narrow only to some/reauth/2.
        var acl = Path.Combine(_folder, "vmq.acl");
        File.WriteAllText(acl, "topic write some/reauth/#\nuser u\ntopic read some/reauth/#\ntopic read a/#\ntopic read x/#\ntopic read q&a/#\nuser narrow\ntopic read some/reauth/2\n");
        _api = ApiTestHost.Start(("Broker:AclFile", acl));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<IMqttClient> ConnectAsync(string clientId, bool persistent, params string[] topics)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _api.Host.MqttPort)
            .WithClientId(clientId).WithCredentials("u", "any").WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(!persistent).WithSessionExpiryInterval(persistent ? 3600u : 0u).Build(), Cancel);
        foreach (var topic in topics)
        {
            await client.SubscribeAsync(topic, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, Cancel);
        }
        await _api.WaitForAsync(clientId, q => q is { IsOnline: true } && q.Subscriptions.Length == topics.Length, "online with its subscriptions");
        return client;
    }

    private static string Alert(string message) =>
        $$"""{"alert":[{"text":{{System.Text.Json.JsonSerializer.Serialize(message)}},"type":"text"}],"type":"alert"}""";

    [Theory]
    [InlineData("/api/v1/session/show?--foo", "Invalid key: \"foo\"")]
    [InlineData("/api/v1/session/show?--limit=abc", "Invalid value for --limit: \"abc\" is not a whole number (0 or more)")]
    [InlineData("/api/v1/session/show?--limit", "--limit needs a value, for example --limit=10")]
    [InlineData("/api/v1/session/show?--peer_port=abc", "Invalid value for peer_port: \"abc\" is not a whole number")]
    [InlineData("/api/v1/session/show?--is_online=yes", "Invalid value for is_online: \"yes\" is not true or false")]
    [InlineData("/api/v1/session/show?--topic=~(", "Invalid regular expression \"(\": Not enough )'s (at character 1)")]
    [InlineData("/api/v1/session/show?client_id", "Invalid argument \"client_id\": flags start with -- (for example --client_id=client1)")]
    [InlineData("/api/v1/session/show?--format=xml", "Invalid value for --format: \"xml\" (json, csv or human)")]
    [InlineData("/api/v1/session/frobnicate", "Unknown command \"session frobnicate\": session show, session disconnect or session reauthorize")]
    [InlineData("/api/v1/cluster/show", "Unknown command \"cluster show\": session show, session disconnect or session reauthorize")]
    [InlineData("/api/v1/session/disconnect", "Missing client-id: session disconnect client-id=X [--mountpoint=M] [--cleanup]")]
    [InlineData("/api/v1/session/disconnect?client-id=c&--mountpoint", "Invalid mountpoint value")]
    [InlineData("/api/v1/session/disconnect?client-id=c&--force", "Invalid flag: \"force\"")]
    [InlineData("/api/v1/session/disconnect?clientid=c", "Invalid key: \"clientid\"")]
    [InlineData("/api/v1/session/disconnect?client-id=c&--cleanup=yes", "--cleanup takes no value (got \"yes\")")]
    [InlineData("/api/v1/session/reauthorize?client-id=c", "Both username and client-id are required: session reauthorize username=U client-id=X [--mountpoint=M]")]
    [InlineData("/api/v1/session/reauthorize?username=u", "Both username and client-id are required: session reauthorize username=U client-id=X [--mountpoint=M]")]
    [InlineData("/api/v1/session/reauthorize?username=u&client-id=c&--mountpoint", "Invalid mountpoint value")]
    [InlineData("/api/v2/session/show?--limit=-1", "Invalid value for --limit: \"-1\" is not a whole number (0 or more)")]
    public async Task Request_BadInput_Returns400WithAnAlert(string pathAndQuery, string message)
    {
        var (status, body, response) = await _api.SendAsync(pathAndQuery);

        Assert.Equal(400, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Alert(message), body);
    }

    [Theory]
    [InlineData("/api/v1/session/show", null)]
    [InlineData("/api/v1/session/show", "wrong-key")]
    [InlineData("/api/v1/session/disconnect?client-id=c", null)]
    [InlineData("/api/v1/nonsense", null)]
    public async Task Request_MissingOrWrongKey_Returns401WithWwwAuthenticate(string pathAndQuery, string? key)
    {
        var (status, body, response) = await _api.SendAsync(pathAndQuery, key);

        Assert.Equal(401, status);
        Assert.Equal("Basic realm=\"dashboard\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Equal(Alert("An API key is required: send it as the Basic-auth user name or in an x-api-key header"), body);
    }

    [Fact]
    public async Task Request_WrongKeyAsBasicAuthUser_Returns401()
    {
        var (status, _) = await _api.SendBasicAsync("/api/v1/session/show", "wrong-key", ApiTestHost.MgmtKey);

        Assert.Equal(401, status);
    }

    [Theory]
    [InlineData("/api/v1/session/disconnect?client-id=c", "disconnect")]
    [InlineData("/api/v1/session/reauthorize?username=u&client-id=c", "reauthorize")]
    public async Task Action_ReadKey_Returns403AndLeavesTheSession(string pathAndQuery, string command)
    {
        using var client = await ConnectAsync("c", persistent: false, "some/reauth/1");

        var (status, body, _) = await _api.SendAsync(pathAndQuery, ApiTestHost.ReadKey);

        Assert.Equal(403, status);
        Assert.Equal(Alert($"This API key has the read scope: session {command} needs a key with the mgmt scope"), body);
        Assert.True(client.IsConnected);
        Assert.Single(_api.Host.Store.Get(new("", "c"))!.Subscriptions);
    }

    [Fact]
    public async Task Disconnect_Get_ClosesTheConnectionAndKeepsThePersistentQueue()
    {
        using var client = await ConnectAsync("keeper", persistent: true, "some/reauth/1");

        var (status, body, _) = await _api.SendAsync("/api/v1/session/disconnect?client-id=keeper");

        Assert.Equal(200, status);
        Assert.Equal("""{"text":"Done","type":"text"}""", body);
        var queue = await _api.WaitForAsync("keeper", q => q is { IsOnline: false }, "went offline");
        Assert.Equal("some/reauth/1", Assert.Single(queue!.Subscriptions).Topic);
    }

    [Fact]
    public async Task Disconnect_PostWithCleanup_RemovesTheQueue()
    {
        using var client = await ConnectAsync("wiped", persistent: true, "some/reauth/1");

        var (status, body, _) = await _api.SendAsync("/api/v1/sessions/disconnect?client-id=wiped&--cleanup", method: HttpMethod.Post);

        Assert.Equal(200, status);
        Assert.Equal("""{"text":"Done","type":"text"}""", body);
        await _api.WaitForAsync("wiped", q => q is null, "queue removed");
    }

    [Fact]
    public async Task Disconnect_UnknownClient_AnswersDoneInV1AndNotFoundInV2()
    {
        var v1 = await _api.SendAsync("/api/v1/session/disconnect?client-id=nobody");
        var v2 = await _api.SendAsync("/api/v2/session/disconnect?client-id=nobody");

        Assert.Equal((200, """{"text":"Done","type":"text"}"""), (v1.Status, v1.Body));
        Assert.Equal(200, v2.Status);
        Assert.Equal("""{"text":"Done","client_id":"nobody","found":false,"was_online":false,"cleaned_up":false,"message":"No session nobody"}""", v2.Body);
    }

    [Fact]
    public async Task Reauthorize_NarrowerUser_RemovesTheRefusedSubscriptionAndStopsDelivery()
    {
        var received = new List<string>();
        using var client = await ConnectAsync("reauth", persistent: false, "some/reauth/1", "some/reauth/2");
        var delivered = new TaskCompletionSource();
        client.ApplicationMessageReceivedAsync += e =>
        {
            lock (received)
            {
                received.Add(e.ApplicationMessage.Topic);
            }
            if (e.ApplicationMessage.Topic == "some/reauth/2")
            {
                delivered.TrySetResult();
            }
            return Task.CompletedTask;
        };

        var unchanged = await _api.SendAsync("/api/v1/session/reauthorize?username=u&client-id=reauth");
        var done = await _api.SendAsync("/api/v1/session/reauthorize?username=narrow&client-id=reauth", method: HttpMethod.Post);

        Assert.Equal((200, """{"text":"Unchanged","type":"text"}"""), (unchanged.Status, unchanged.Body));
        Assert.Equal((200, """{"text":"Done","type":"text"}"""), (done.Status, done.Body));
        Assert.Equal(["some/reauth/2"], _api.Host.Store.Get(new("", "reauth"))!.Subscriptions.Select(s => s.Topic));
        using var publisher = new MqttClientFactory().CreateMqttClient();
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _api.Host.MqttPort).WithClientId("pub").Build(), Cancel);
        await publisher.PublishStringAsync("some/reauth/1", "gone", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        await publisher.PublishStringAsync("some/reauth/2", "kept", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Cancel);
        // Messages from one publisher arrive in order, so once some/reauth/2 is in, some/reauth/1 would have been.
        await delivered.Task.WaitAsync(TimeSpan.FromSeconds(15), Cancel);
        lock (received)
        {
            Assert.Equal(["some/reauth/2"], received);
        }
    }

    [Fact]
    public async Task Reauthorize_V2_ReportsWhatWasRemoved()
    {
        using var client = await ConnectAsync("reauth2", persistent: false, "some/reauth/1", "some/reauth/2");

        var (status, body, _) = await _api.SendAsync("/api/v2/session/reauthorize?username=narrow&client-id=reauth2");

        Assert.Equal(200, status);
        Assert.Equal("""{"text":"Done","client_id":"reauth2","found":true,"removed":["some/reauth/1"],"added":[],"message":"Removed some/reauth/1"}""", body);
    }

    [Theory]
    [InlineData("--topic=a%2F%2B%2Fb", "a/+/b")]
    [InlineData("--topic=x%2F%23", "x/#")]
    [InlineData("--topic=q%26a%2Ft", "q&a/t")]
    [InlineData("--topic=~%5Ex%2F%23%24", "x/#")]
    public async Task Show_PercentEncodedWildcardsAndAmpersand_MatchTheFilter(string filter, string topic)
    {
        using var client = await ConnectAsync("enc", persistent: false, "a/+/b", "x/#", "q&a/t");

        var (status, body, _) = await _api.SendAsync($"/api/v1/session/show?--topic&{filter}");

        Assert.Equal(200, status);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal(topic, Assert.Single(json.RootElement.GetProperty("table").EnumerateArray()).GetProperty("topic").GetString());
    }

    [Fact]
    public async Task Show_UnencodedPlus_DecodesToASpaceAsInForms()
    {
        using var client = await ConnectAsync("enc", persistent: false, "a/+/b");

        var (status, body, _) = await _api.SendAsync("/api/v1/session/show?--topic&--topic=a/+/b");

        Assert.Equal(200, status);
        Assert.Equal("""{"table":[],"type":"table"}""", body);
    }
}
