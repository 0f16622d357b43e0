using System.Net;
using Dashboard.Core.Blocks;
using Dashboard.Core.Broker;
using Dashboard.Tests.Core.Broker;
using MQTTnet;
using MQTTnet.Formatter;

namespace Dashboard.Tests.Core.Blocks;

/// <summary>
/// Block matching with the expected answers written out by hand: wildcards, exact ids and user names,
/// addresses and CIDR networks (IPv4, IPv6, IPv4-mapped), expiry, and the messages for bad input.
/// </summary>
public sealed class ClientBlocksTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static ClientBlock Block(BlockKind kind, string pattern, DateTimeOffset? expires = null, long id = 1) =>
        new(id, kind, pattern, "test", expires, Now.AddHours(-1), "tester");

    [Theory]
    [InlineData("sensor-*", "sensor-1", true)]
    [InlineData("sensor-*", "sensor-", true)]
    [InlineData("sensor-*", "Sensor-1", false)]
    [InlineData("sensor-*", "my-sensor-1", false)]
    [InlineData("*-test", "a-b-test", true)]
    [InlineData("*-test", "a-test-b", false)]
    [InlineData("plant?/line", "plant3/line", true)]
    [InlineData("plant?/line", "plant/line", false)]
    [InlineData("plant?/line", "plant33/line", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXcYYb", false)]
    [InlineData("a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("**", "", true)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void Wildcard_Matches(string pattern, string text, bool expected) =>
        Assert.Equal(expected, WildcardPattern.IsMatch(pattern, text));

    [Fact]
    public void Wildcard_HostilePatternAgainstALongId_AnswersWithoutRunningAway()
    {
        // 128 stars and a final b against 1,024 a's: a backtracking regex would explore an exponential
        // number of splits; the two-pointer walk needs at most 129 × 1,024 steps.
        var pattern = string.Concat(Enumerable.Repeat("*a", 127)) + "*b";
        Assert.False(WildcardPattern.IsMatch(pattern, new string('a', 1024)));
    }

    [Theory]
    [InlineData(BlockKind.ClientId, "dev-1", "dev-1", null, null, true)]
    [InlineData(BlockKind.ClientId, "dev-1", "DEV-1", null, null, false)]
    [InlineData(BlockKind.ClientId, "dev-*", "dev-1", null, null, false)] // an exact id: * is just a character
    [InlineData(BlockKind.ClientId, "dev-*", "dev-*", null, null, true)]
    [InlineData(BlockKind.User, "mallory", "any", "mallory", null, true)]
    [InlineData(BlockKind.User, "mallory", "any", "Mallory", null, false)]
    [InlineData(BlockKind.User, "mallory", "any", null, null, false)]
    [InlineData(BlockKind.PeerAddress, "192.168.1.20", "any", null, "192.168.1.20", true)]
    [InlineData(BlockKind.PeerAddress, "192.168.1.20", "any", null, "192.168.1.21", false)]
    [InlineData(BlockKind.PeerAddress, "192.168.1.0/24", "any", null, "192.168.1.255", true)]
    [InlineData(BlockKind.PeerAddress, "192.168.1.0/24", "any", null, "192.168.2.1", false)]
    [InlineData(BlockKind.PeerAddress, "10.0.0.0/8", "any", null, "::ffff:10.20.30.40", true)]
    [InlineData(BlockKind.PeerAddress, "2001:db8::/32", "any", null, "2001:db8:1::5", true)]
    [InlineData(BlockKind.PeerAddress, "2001:db8::/32", "any", null, "2001:db9::5", false)]
    [InlineData(BlockKind.PeerAddress, "::1", "any", null, "::1", true)]
    [InlineData(BlockKind.PeerAddress, "::1", "any", null, "127.0.0.1", false)]
    [InlineData(BlockKind.PeerAddress, "127.0.0.1", "any", null, null, false)]
    public void Rule_Matches(BlockKind kind, string pattern, string clientId, string? user, string? peer, bool expected)
    {
        var rule = BlockRule.Create(Block(kind, pattern));
        Assert.NotNull(rule);
        Assert.Equal(expected, rule.Matches(clientId, user, peer is null ? null : IPAddress.Parse(peer)));
    }

    [Fact]
    public void List_Expiry_AppliesUntilTheExpiryInstantAndNotAtIt()
    {
        var list = new ClientBlockList();
        var expires = Now.AddMinutes(5);
        list.Replace([Block(BlockKind.ClientId, "dev-1", expires, id: 7)]);

        Assert.Equal(7, list.Match("dev-1", null, null, expires.AddTicks(-1))?.Id);
        Assert.Null(list.Match("dev-1", null, null, expires));
        Assert.Null(list.Match("dev-2", null, null, Now));
    }

    [Fact]
    public void List_Replace_SwapsTheWholeListAndSkipsUnparsableRows()
    {
        var list = new ClientBlockList();
        list.Replace([Block(BlockKind.User, "eve", id: 1), Block(BlockKind.PeerAddress, "not-an-address", id: 2)]);
        Assert.Single(list.Rules);
        Assert.Equal(1, list.Match("x", "eve", null, Now)?.Id);

        list.Replace([]);
        Assert.Null(list.Match("x", "eve", null, Now));
    }

    [Theory]
    [InlineData("192.168.1.20", "192.168.1.20")]
    [InlineData(" 10.0.0.0/8 ", "10.0.0.0/8")]
    [InlineData("2001:DB8:0:0::/32", "2001:db8::/32")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3")]
    [InlineData("10.1.2.3/32", "10.1.2.3")]
    public void Normalize_Address_IsCanonical(string typed, string stored) =>
        Assert.Equal(stored, BlockRules.NormalizePattern(BlockKind.PeerAddress, typed).Value);

    [Theory]
    [InlineData("192.168.1.5/24", "\"192.168.1.5/24\" has bits set after the /24 prefix; the network is 192.168.1.0/24")]
    [InlineData("192.168.1.0/33", "\"192.168.1.0/33\" is not a CIDR network: the prefix length must be a number from 0 to 32")]
    [InlineData("192.168.1.0/", "\"192.168.1.0/\" is not a CIDR network: the prefix length must be a number from 0 to 32")]
    [InlineData("192.168.1.0/-1", "\"192.168.1.0/-1\" is not a CIDR network: the prefix length must be a number from 0 to 32")]
    [InlineData("0.0.0.0/0", "\"0.0.0.0/0\" would block every IPv4 client; block a narrower network")]
    [InlineData("127.1", "\"127.1\" is not an IP address or CIDR network: \"127.1\" is not an IPv4 or IPv6 address")]
    [InlineData("010.0.0.1", "\"010.0.0.1\" is not an IP address or CIDR network: \"010.0.0.1\" is not an IPv4 or IPv6 address")]
    [InlineData("256.0.0.1", "\"256.0.0.1\" is not an IP address or CIDR network: \"256.0.0.1\" is not an IPv4 or IPv6 address")]
    [InlineData("fe80::1%eth0", "\"fe80::1%eth0\" is not an IP address or CIDR network: \"fe80::1%eth0\" is not an IPv4 or IPv6 address")]
    [InlineData("example.com", "\"example.com\" is not an IP address or CIDR network: \"example.com\" is not an IPv4 or IPv6 address")]
    [InlineData("", "Give the peer address to block: an address (192.168.1.20, ::1) or a network in CIDR form (192.168.1.0/24)")]
    public void Normalize_BadAddress_SaysWhatIsWrong(string typed, string message) =>
        Assert.Equal(message, BlockRules.NormalizePattern(BlockKind.PeerAddress, typed).Error);

    [Fact]
    public void Validate_BadInput_SaysWhatIsWrong()
    {
        Assert.Equal("Unknown block kind \"ip\": client_id, client_id_pattern, user, peer_address",
            BlockRules.Validate("ip", "x", "r", null, Now).Error);
        Assert.Equal("Give the client id to block", BlockRules.Validate("client_id", "", "r", null, Now).Error);
        Assert.Equal("The client id is 1,025 characters long; at most 1,024 can be blocked",
            BlockRules.Validate("client_id", new string('x', 1025), "r", null, Now).Error);
        Assert.Equal("The pattern is 257 characters long; at most 256 are allowed",
            BlockRules.Validate("client_id_pattern", new string('x', 257), "r", null, Now).Error);
        Assert.Equal("A pattern of only * would block every client; block something narrower",
            BlockRules.Validate("client_id_pattern", "**", "r", null, Now).Error);
        Assert.Equal("The pattern may not contain U+0000 (no MQTT client id or user name can)",
            BlockRules.Validate("user", "a\0b", "r", null, Now).Error);
        Assert.Equal("A reason is required: say why the client is blocked", BlockRules.Validate("user", "eve", "  ", null, Now).Error);
        Assert.Equal("The reason may not contain control characters (line breaks, tabs)",
            BlockRules.Validate("user", "eve", "a\nb", null, Now).Error);
        Assert.Equal("The expiry is in the past: a block must end after now, or never",
            BlockRules.Validate("user", "eve", "r", Now, Now).Error);

        var ok = BlockRules.Validate(" client_id ", "dev 1", "  flooding  ", Now.AddHours(1), Now).Value;
        Assert.Equal(new BlockRequest(BlockKind.ClientId, "dev 1", "flooding", Now.AddHours(1)), ok);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 900)]
    [InlineData("1h", 3600)]
    [InlineData("1H", 3600)]
    [InlineData("7d", 604_800)]
    [InlineData("3650d", 315_360_000)]
    public void Duration_Parses(string text, long seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), BlockRules.ParseDuration(text).Value);

    [Theory]
    [InlineData("")]
    [InlineData("never")]
    [InlineData(null)]
    public void Duration_EmptyOrNever_IsNoExpiry(string? text) => Assert.Null(BlockRules.ParseDuration(text).Value);

    [Theory]
    [InlineData("1 hour", "Invalid expiry \"1 hour\": a number with s, m, h or d (30s, 15m, 1h, 7d), or empty for never")]
    [InlineData("-5m", "Invalid expiry \"-5m\": a number with s, m, h or d (30s, 15m, 1h, 7d), or empty for never")]
    [InlineData("99999999999d", "Invalid expiry \"99999999999d\": a number with s, m, h or d (30s, 15m, 1h, 7d), or empty for never")]
    [InlineData("3651d", "Invalid expiry \"3651d\": at most 3650d; leave it empty for a block that never expires")]
    [InlineData("0s", "The expiry must be at least 1s; leave it empty for a block that never expires")]
    public void Duration_Bad_SaysWhatIsWrong(string text, string message) =>
        Assert.Equal(message, BlockRules.ParseDuration(text).Error);

    [Fact]
    public async Task Broker_BlockedClient_RefusedBeforeThePasswordCheckWithBannedOrNotAuthorized()
    {
        var blocks = new ClientBlockList();
        blocks.Replace([Block(BlockKind.ClientId, "blocked-1"), Block(BlockKind.User, "eve", id: 2)]);
        // A password file no client here passes: a blocked client must hear Banned, not "bad password".
        var authorizer = new BrokerAuthorizer(allowAnonymous: true, passwords: null, acl: null, blocks: blocks);
        await using var broker = await BrokerHarness.StartAsync(attachFirst: authorizer.Attach);

        // MQTT 5: reason code 0x8A = 138, Banned. MQTT 3.1.1 has no Banned: return code 5, not authorized.
        Assert.Equal(138, (int)await TryConnectAsync(broker.Options("blocked-1", MqttProtocolVersion.V500).Build()));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await TryConnectAsync(broker.Options("blocked-1", MqttProtocolVersion.V311).Build()));
        Assert.Equal(138, (int)await TryConnectAsync(broker.Options("other", MqttProtocolVersion.V500).WithCredentials("eve", "x").Build()));
        Assert.Equal(MqttClientConnectResultCode.Success, await TryConnectAsync(broker.Options("other", MqttProtocolVersion.V500).WithCredentials("bob", "x").Build()));

        blocks.Replace([]);
        Assert.Equal(MqttClientConnectResultCode.Success, await TryConnectAsync(broker.Options("blocked-1", MqttProtocolVersion.V500).Build()));
    }

    private static async Task<MqttClientConnectResultCode> TryConnectAsync(MqttClientOptions options)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(options, Cancel);
        if (client.IsConnected)
        {
            await client.DisconnectAsync(cancellationToken: Cancel);
        }
        return result.ResultCode;
    }
}
