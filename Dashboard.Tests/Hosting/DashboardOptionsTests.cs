using System.Net;
using Dashboard.Hosting;
using Dashboard.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace Dashboard.Tests.Hosting;

/// <summary>
/// The options classes as the app registers them: the defaults (written down here, as README documents
/// them) and the lines a bad value stops the start with.
/// </summary>
public class DashboardOptionsTests
{
    [Fact]
    public void Defaults_SourceHttpMqttMetrics()
    {
        Assert.Equal(SourceKind.Embedded, SettingsHost.Options<SourceOptions>().Kind);

        var http = SettingsHost.Options<HttpOptions>();
        Assert.Equal((IPAddress.Loopback, 8888), (http.Address, http.Port));
        Assert.Equal((null, null, null), (http.Certificate, http.CertificateKey, http.CertificatePassword));
        Assert.Empty(http.KnownProxies);
        Assert.Equal(PathString.Empty, http.BasePath);

        var mqtt = SettingsHost.Options<MqttOptions>();
        Assert.Equal((IPAddress.Loopback, 1883, true), (mqtt.Address, mqtt.Port, mqtt.Plain));
        Assert.Empty(mqtt.AllowedOrigins);
        Assert.Equal((8883, null, null, null), (mqtt.Tls.Port, mqtt.Tls.Certificate, mqtt.Tls.CertificateKey, mqtt.Tls.CertificatePassword));
        Assert.Equal((ClientCertificates.None, null, false), (mqtt.Tls.ClientCertificates, mqtt.Tls.CaFile, mqtt.Tls.UseIdentityAsUsername));

        var metrics = SettingsHost.Options<MetricsOptions>();
        Assert.Equal((null, IPAddress.Loopback), (metrics.Port, metrics.Address));
    }

    [Fact]
    public void Defaults_BrokerDataAuthApi()
    {
        var broker = SettingsHost.Options<BrokerOptions>();
        Assert.Equal("dashboard@" + Environment.MachineName, broker.NodeName);
        Assert.Equal((true, null, null), (broker.AllowAnonymous, broker.PasswordFile, broker.AclFile));
        Assert.Equal((1000, 1024, false), (broker.MaxQueuedMessages, broker.MaxClientIdLength, broker.QueueQos0Messages));
        Assert.Equal(TimeSpan.FromSeconds(10), broker.ConnectTimeout);

        Assert.Equal("./data", SettingsHost.Options<DataOptions>().Path);

        var auth = SettingsHost.Options<AuthOptions>();
        Assert.Equal((null, TimeSpan.FromSeconds(30), 30), (auth.AdminPassword, auth.RevalidateInterval, auth.SignInAttemptsPerMinute));

        Assert.Empty(SettingsHost.Options<ApiOptions>().Keys);
    }

    [Fact]
    public void Defaults_LiveFlappingQueueHealthTrace()
    {
        var live = SettingsHost.Options<LiveOptions>();
        Assert.Equal((TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), 10_000), (live.Window, live.CounterInterval, live.MaxPendingSessions));
        var feed = live.Feed();
        Assert.Equal((TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), 10_000), (feed.Window, feed.CounterInterval, feed.MaxPendingSessions));

        var flapping = SettingsHost.Options<FlappingOptions>();
        Assert.Equal((5, 300), (flapping.Connects, flapping.WindowSeconds));

        var queueHealth = SettingsHost.Options<QueueHealthOptions>();
        Assert.Equal((80, 100L, 1L), (queueHealth.QueuedPercent, queueHealth.InFlight, queueHealth.Dropped));

        var trace = SettingsHost.Options<TraceOptions>();
        Assert.Equal((1000, 10, 3), (trace.MaxPackets, trace.MaxMinutes, trace.MaxConcurrent));
    }

    [Fact]
    public void Defaults_VerneMq()
    {
        var verneMq = SettingsHost.Options<VerneMqOptions>(SettingsHost.VerneMqRequired);
        Assert.Equal((null, null), (verneMq.CallbackUrl, verneMq.WebhookSecret));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), 2000), (verneMq.ResyncInterval, verneMq.StaleHookAfter, verneMq.MessageDetailsUpTo));
    }

    [Fact]
    public void NoSettings_NothingToReport()
    {
        Assert.Empty(SettingsHost.Problems(verneMq: false));
        Assert.Empty(SettingsHost.Problems(verneMq: true, SettingsHost.VerneMqRequired));
    }

    [Fact]
    public void Configured_ValuesAreBound()
    {
        string[] settings =
        [
            "Source:Kind=vernemq", "Http:Address=0.0.0.0", "Http:Port= 9000 ", "Http:KnownProxies=10.0.0.5, 10.0.0.0/24",
            "Http:BasePath=/dashboard/", "Http:Certificate= cert.pem ", "Http:CertificatePassword= secret ",
            "Mqtt:Address=localhost", "Mqtt:AllowedOrigins:0=http://a.example/", "Mqtt:AllowedOrigins:1=HTTP://B.example",
            "Mqtt:Tls:ClientCertificates=Required", "Mqtt:Tls:CaFile=ca.pem", "Mqtt:Tls:Certificate=tls.pem", "Metrics:Port=9100",
            "Broker:NodeName=node-1", "Broker:ConnectTimeout=00:00:02", "Broker:QueueQos0Messages=TRUE", "Data:Path=/var/lib/d",
            "Auth:RevalidateInterval=00:00:00.200", "Api:Keys:0:Key=k0", "Api:Keys:1:Key=k1", "Api:Keys:1:Scope=read",
            "Live:Window=00:00:02",
        ];
        Assert.Equal(SourceKind.VerneMQ, SettingsHost.Options<SourceOptions>(settings).Kind);

        var http = SettingsHost.Options<HttpOptions>(settings);
        Assert.Equal((IPAddress.Any, 9000, "cert.pem", " secret "), (http.Address, http.Port, http.Certificate, http.CertificatePassword));
        Assert.Equal([new IPNetwork(IPAddress.Parse("10.0.0.5"), 32), IPNetwork.Parse("10.0.0.0/24")], http.KnownProxies);
        Assert.Equal(new PathString("/dashboard"), http.BasePath);

        var mqtt = SettingsHost.Options<MqttOptions>(settings);
        Assert.Equal(IPAddress.Loopback, mqtt.Address);
        Assert.True(mqtt.AllowedOrigins.SetEquals(["http://a.example", "http://b.example"]));
        Assert.Equal((ClientCertificates.Required, "ca.pem"), (mqtt.Tls.ClientCertificates, mqtt.Tls.CaFile));
        Assert.Equal(9100, SettingsHost.Options<MetricsOptions>(settings).Port);

        var broker = SettingsHost.Options<BrokerOptions>(settings);
        Assert.Equal(("node-1", TimeSpan.FromSeconds(2), true), (broker.NodeName, broker.ConnectTimeout, broker.QueueQos0Messages));
        Assert.Equal("/var/lib/d", SettingsHost.Options<DataOptions>(settings).Path);
        Assert.Equal(TimeSpan.FromMilliseconds(200), SettingsHost.Options<AuthOptions>(settings).RevalidateInterval);
        Assert.Equal(
            [new ConfiguredApiKey("0", "k0", ApiKeyScope.Mgmt), new ConfiguredApiKey("1", "k1", ApiKeyScope.Read)],
            SettingsHost.Options<ApiOptions>(settings).Keys);
        Assert.Equal(TimeSpan.FromSeconds(2), SettingsHost.Options<LiveOptions>(settings).Window);
    }

    [Fact]
    public void Configured_VerneMqNodesInOrder_BlankOnesSkipped()
    {
        var verneMq = SettingsHost.Options<VerneMqOptions>(
            "VerneMQ:Nodes:0:Url=http://10.0.0.1:8888", "VerneMQ:Nodes:1:Url= ", "VerneMQ:Nodes:2:Url=https://10.0.0.2:8888/",
            "VerneMQ:ApiKey= key ", "VerneMQ:CallbackUrl=http://10.0.0.5:8888", "VerneMQ:ResyncInterval=00:00:03");
        Assert.Equal([new Uri("http://10.0.0.1:8888"), new Uri("https://10.0.0.2:8888/")], verneMq.NodeUrls);
        Assert.Equal(("key", new Uri("http://10.0.0.5:8888"), TimeSpan.FromSeconds(3)), (verneMq.ApiKey, verneMq.CallbackUrl, verneMq.ResyncInterval));
    }

    [Theory]
    // Negative, out of range, not a number.
    [InlineData("Http:Port \"-1\" is not a port number (0 to 65535; 0 picks a free port).", "Http:Port=-1")]
    [InlineData("Mqtt:Port \"65536\" is not a port number (0 to 65535; 0 picks a free port).", "Mqtt:Port=65536")]
    [InlineData("Mqtt:Tls:Port \"tls\" is not a port number (0 to 65535; 0 picks a free port).", "Mqtt:Tls:Port=tls")]
    [InlineData("Metrics:Port \"+9100\" is not a port number (0 to 65535; 0 picks a free port).", "Metrics:Port=+9100")]
    [InlineData("Broker:MaxQueuedMessages \"-5\" is not a whole number from 1 to 2147483647.", "Broker:MaxQueuedMessages=-5")]
    [InlineData("Broker:MaxClientIdLength \"70000\" is not a whole number from 1 to 65535.", "Broker:MaxClientIdLength=70000")]
    [InlineData("Auth:SignInAttemptsPerMinute \"0\" is not a whole number from 1 to 2147483647.", "Auth:SignInAttemptsPerMinute=0")]
    [InlineData("Live:MaxPendingSessions \"1e4\" is not a whole number from 1 to 2147483647.", "Live:MaxPendingSessions=1e4")]
    [InlineData("Flapping:Connects \"1000\" is not a whole number from 1 to 999.", "Flapping:Connects=1000")]
    [InlineData("QueueHealth:InFlight \"0\" is not a whole number from 1 to 2147483647.", "QueueHealth:InFlight=0")]
    [InlineData("Trace:MaxMinutes \"1441\" is not a whole number from 1 to 1440.", "Trace:MaxMinutes=1441")]
    [InlineData("Mqtt:MaxSegmentSize \"70000\" is not a whole number from 0 to 65495.", "Mqtt:MaxSegmentSize=70000")]
    [InlineData("Mqtt:MaxSegmentSize \"100\" is below 536, the smallest segment every TCP peer takes (0 leaves it to the system).", "Mqtt:MaxSegmentSize=100")]
    // Time spans.
    [InlineData("Broker:ConnectTimeout \"-00:00:01\" is not a time span above zero (hh:mm:ss, default 00:00:10).", "Broker:ConnectTimeout=-00:00:01")]
    [InlineData("Auth:RevalidateInterval \"soon\" is not a time span above zero (hh:mm:ss, default 00:00:30).", "Auth:RevalidateInterval=soon")]
    [InlineData("Live:Window \"00:00:00\" is not a time span above zero (hh:mm:ss, default 00:00:00.1).", "Live:Window=00:00:00")]
    [InlineData("Live:CounterInterval \"1 s\" is not a time span above zero (hh:mm:ss, default 00:00:01).", "Live:CounterInterval=1 s")]
    // Addresses, booleans, choices.
    [InlineData("Http:Address \"dashboard.local\" is not an IP address (for example 127.0.0.1, 0.0.0.0 or ::1).", "Http:Address=dashboard.local")]
    [InlineData("Metrics:Address \"10.0.0.300\" is not an IP address (for example 127.0.0.1, 0.0.0.0 or ::1).", "Metrics:Address=10.0.0.300")]
    [InlineData("Broker:AllowAnonymous \"yes\" is not true or false.", "Broker:AllowAnonymous=yes")]
    [InlineData("Mqtt:Plain \"nope\" is not true or false.", "Mqtt:Plain=nope")]
    [InlineData("Source:Kind \"Mosquitto\" is not a source: Embedded (default) or VerneMQ.", "Source:Kind=Mosquitto")]
    [InlineData("Source:Kind \"1\" is not a source: Embedded (default) or VerneMQ.", "Source:Kind=1")]
    [InlineData("Mqtt:Tls:ClientCertificates \"sometimes\" is not one of none, optional, required.", "Mqtt:Tls:ClientCertificates=sometimes")]
    [InlineData("Api:Keys:0:Scope \"admin\" is not mgmt or read.", "Api:Keys:0:Key=k", "Api:Keys:0:Scope=admin")]
    [InlineData("Api:Keys:3:Key is not set (the key callers present; Api:Keys:3:Scope is mgmt or read).", "Api:Keys:3:Scope=read")]
    // Formats of their own.
    [InlineData("Http:KnownProxies \"nginx.internal\" is not an IP address or a CIDR range (for example 10.0.0.5 or 10.0.0.0/24).", "Http:KnownProxies=10.0.0.0/8,nginx.internal")]
    [InlineData("Http:BasePath \"/dash board\" is not a path the dashboard can be served under (for example /dashboard).", "Http:BasePath=/dash board")]
    [InlineData("Http:BasePath \"dashboard\" is not a path the dashboard can be served under (for example /dashboard).", "Http:BasePath=dashboard")]
    [InlineData("Auth:AdminPassword is not usable: The password must have at least 8 characters.", "Auth:AdminPassword=short")]
    // Rules between keys.
    [InlineData("Mqtt:Plain \"false\" needs Mqtt:Tls:Certificate: without MQTT over TLS the broker would have no listener.", "Mqtt:Plain=false")]
    [InlineData("Http:CertificateKey is set but Http:Certificate is not: set the certificate file too.", "Http:CertificateKey=key.pem")]
    [InlineData("Mqtt:Tls:CertificateKey is set but Mqtt:Tls:Certificate is not: set the certificate file too.", "Mqtt:Tls:CertificateKey=key.pem")]
    [InlineData("Mqtt:Tls:ClientCertificates is optional but Mqtt:Tls:CaFile is not set (the PEM file of the CA that signs client certificates).", "Mqtt:Tls:ClientCertificates=optional")]
    [InlineData("Mqtt:Tls:UseIdentityAsUsername is true but Mqtt:Tls:ClientCertificates is none: set it to optional or required.", "Mqtt:Tls:UseIdentityAsUsername=true")]
    public void BadValue_StopsTheStart_WithOneLineNamingTheKeyAndWhatIsAllowed(string message, params string[] settings)
    {
        Assert.Equal(message, Assert.Single(SettingsHost.Problems(verneMq: false, settings)));
    }

    [Theory]
    [InlineData("VerneMQ:Nodes:1:Url \"ftp://10.0.0.2\" is not an http:// or https:// address (for example http://127.0.0.1:8888).", "VerneMQ:Nodes:1:Url=ftp://10.0.0.2")]
    [InlineData("VerneMQ:Nodes:1:Url \"10.0.0.2:8888\" is not an http:// or https:// address (for example http://127.0.0.1:8888).", "VerneMQ:Nodes:1:Url=10.0.0.2:8888")]
    [InlineData("VerneMQ:CallbackUrl \"http//10.0.0.5\" is not an http:// or https:// address (the dashboard as the VerneMQ nodes reach it, for example http://10.0.0.5:8888).", "VerneMQ:CallbackUrl=http//10.0.0.5")]
    [InlineData("VerneMQ:ResyncInterval \"00:00:00.5\" is not a time span of at least 00:00:01 (hh:mm:ss, default 00:00:30).", "VerneMQ:ResyncInterval=00:00:00.5")]
    [InlineData("VerneMQ:MessageDetailsUpTo \"-1\" is not a whole number from 0 to 2147483647.", "VerneMQ:MessageDetailsUpTo=-1")]
    [InlineData("VerneMQ:WebhookSecret is shorter than 16 characters; leave it unset to have one generated.", "VerneMQ:WebhookSecret=short")]
    public void BadVerneMqValue_StopsTheStart_WithOneLineNamingTheKey(string message, params string[] settings)
    {
        Assert.Equal(message, Assert.Single(SettingsHost.Problems(verneMq: true, [.. SettingsHost.VerneMqRequired, .. settings])));
    }

    [Fact]
    public void VerneMqSource_WithoutNodesOrKey_NamesBoth()
    {
        Assert.Equal(
            [
                "Source:Kind is VerneMQ but no VerneMQ:Nodes:0:Url is set (the HTTP listener of a VerneMQ node, for example http://127.0.0.1:8888).",
                "Source:Kind is VerneMQ but VerneMQ:ApiKey is not set (an API key of scope mgmt: vmq-admin api-key create).",
            ],
            SettingsHost.Problems(verneMq: true));
    }

    [Fact]
    public void SeveralBadValues_OneLineEach_InSectionsAndWithinOne()
    {
        var lines = SettingsHost.Problems(false, "Http:Port=x", "Http:Address=y", "Trace:MaxPackets=0");

        Assert.Equal(3, lines.Count);
        Assert.Contains("Http:Port \"x\" is not a port number (0 to 65535; 0 picks a free port).", lines);
        Assert.Contains("Http:Address \"y\" is not an IP address (for example 127.0.0.1, 0.0.0.0 or ::1).", lines);
        Assert.Contains("Trace:MaxPackets \"0\" is not a whole number from 1 to 100000.", lines);
    }

    [Fact]
    public void UnusableValue_RulesBetweenKeysWaitUntilItIsFixed()
    {
        // The bad mode is reported, not also "UseIdentityAsUsername needs a mode" on the default left in its place.
        Assert.Equal("Mqtt:Tls:ClientCertificates \"always\" is not one of none, optional, required.",
            Assert.Single(SettingsHost.Problems(false, "Mqtt:Tls:ClientCertificates=always", "Mqtt:Tls:UseIdentityAsUsername=true")));
    }

    [Fact]
    public void BadValue_AsOptions_ThrowsValidationNamingTheKey()
    {
        var error = Assert.Throws<OptionsValidationException>(() => SettingsHost.Options<BrokerOptions>("Broker:ConnectTimeout=0"));

        Assert.Equal(typeof(BrokerOptions), error.OptionsType);
        Assert.StartsWith("Broker:ConnectTimeout \"0\" ", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void SourceKind_ReadWhenRegistering_ThrowsTheSameLine()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Source:Kind", "Mosquitto")]).Build();

        var error = Assert.Throws<OptionsValidationException>(() => SettingsSection.ReadNow<SourceOptions>(configuration));

        Assert.Equal(["Source:Kind \"Mosquitto\" is not a source: Embedded (default) or VerneMQ."], SettingProblems.Of(error));
    }

    [Fact]
    public void SettingProblems_OnlySettingsExceptions()
    {
        Assert.Equal(["Http:Certificate \"x.pem\": the file does not exist."],
            SettingProblems.Of(new SettingException("Http:Certificate \"x.pem\": the file does not exist.")));
        Assert.Empty(SettingProblems.Of(new InvalidOperationException("not a setting")));
        Assert.Empty(SettingProblems.Of(new AggregateException(new SettingException("a"), new InvalidOperationException("b"))));
        Assert.Equal(["a", "b", "c"], SettingProblems.Of(new AggregateException(
            new OptionsValidationException("", typeof(HttpOptions), ["a", "b"]), new SettingException("c"))));
    }
}
