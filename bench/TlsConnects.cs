using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace Dashboard.Bench;

/// <summary>
/// <c>tls-connects</c>: what TLS costs the published app's connection rate. One app process with MQTT
/// on its plain port and MQTT over TLS on another (a certificate this mode makes: its own CA and a
/// server certificate for 127.0.0.1, ECDSA P-256 or RSA 2048); persistent MQTT 3.1.1 clients connect 32
/// at a time, alternating plain and TLS rounds so that changes in the machine's load hit both alike.
/// TLS clients check the server's chain against the CA, as a real client does, and each makes a full
/// handshake (a new MQTTnet client, so no TLS session of an earlier one to resume).
/// </summary>
internal static class TlsConnects
{
    public static async Task<int> RunAsync(string[] args)
    {
        var app = BrokerComparison.Arg(args, "app") ?? "/tmp/i12-app/Dashboard.dll";
        var clients = BrokerComparison.Int(args, "clients", 1000);
        var rounds = BrokerComparison.Int(args, "rounds", 5);
        var rsa = string.Equals(BrokerComparison.Arg(args, "key"), "rsa", StringComparison.OrdinalIgnoreCase);
        if (!File.Exists(app))
        {
            Console.Error.WriteLine($"No app at {app}: dotnet publish Dashboard -c Release -o /tmp/i12-app, or pass --app=.../Dashboard.dll");
            return 1;
        }
        var folder = Path.Combine(Path.GetTempPath(), $"bench-tls-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            using var ca = MakeCa();
            var (certificate, key) = WriteServerCertificate(folder, ca, rsa);
            Console.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, {Environment.ProcessorCount} cores, load average {BrokerComparison.LoadAverage()}");
            Console.WriteLine($"{clients} persistent MQTT 3.1.1 clients per round, 32 at a time; {rounds} rounds each of plain and TLS, alternating; "
                + $"server key {(rsa ? "RSA 2048" : "ECDSA P-256")}");
            await using var broker = new DashboardBroker(app, 1000, ["--Mqtt:Tls:Port=0", "--Mqtt:Tls:Certificate=" + certificate, "--Mqtt:Tls:CertificateKey=" + key]);
            await broker.StartAsync();
            for (var i = 0; i < 100 && broker.TlsPort == 0; i++)
            {
                await Task.Delay(100);
            }
            if (broker.TlsPort == 0)
            {
                Console.Error.WriteLine("The app did not log its MQTT over TLS port within 10 s.");
                return 1;
            }
            Console.WriteLine($"app pid {broker.Pid}: mqtt port {broker.Port}, mqtts port {broker.TlsPort}");

            MqttClientOptions Plain(string id) => BrokerLoad.OptionsBuilder(broker.Port, id).Build();
            MqttClientOptions Tls(string id) => BrokerLoad.OptionsBuilder(broker.TlsPort, id)
                .WithTlsOptions(tls => tls.UseTls().WithTargetHost("127.0.0.1").WithCertificateValidationHandler(context => Trusted(ca, context.Certificate)))
                .Build();

            // Warm-up (JIT, thread pool, SQLite), not counted.
            await MeasureAsync(Plain, "warm-plain-", 200, broker.Pid);
            await MeasureAsync(Tls, "warm-tls-", 200, broker.Pid);
            var plain = new List<Round>();
            var tls = new List<Round>();
            for (var round = 0; round < rounds; round++)
            {
                plain.Add(await MeasureAsync(Plain, $"r{round}-plain-", clients, broker.Pid));
                tls.Add(await MeasureAsync(Tls, $"r{round}-tls-", clients, broker.Pid));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1}: plain {plain[^1]}; TLS {tls[^1]}; load average {BrokerComparison.LoadAverage()}"));
            }
            var plainMedian = Median(plain.Select(r => r.PerSecond));
            var tlsMedian = Median(tls.Select(r => r.PerSecond));
            Console.WriteLine();
            Console.WriteLine("| | connects/s median | min–max | ratio to plain | app CPU ms per connect (median) | client CPU ms per connect (median) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var (name, list, median) in new[] { ("plain MQTT", plain, plainMedian), ("MQTT over TLS", tls, tlsMedian) })
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {median:N0} | {list.Min(r => r.PerSecond):N0}–{list.Max(r => r.PerSecond):N0} | {median / plainMedian:F2} | "
                    + $"{Median(list.Select(r => r.AppCpuMs)):F2} | {Median(list.Select(r => r.ClientCpuMs)):F2} |"));
            }
            Console.WriteLine($"load average at the end {BrokerComparison.LoadAverage()}");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One round: the wall-clock rate, and CPU time per connect of the app and of this process (which the load disturbs far less).</summary>
    private sealed record Round(double PerSecond, double AppCpuMs, double ClientCpuMs)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{PerSecond:N0}/s, app {AppCpuMs:F2} ms CPU, client {ClientCpuMs:F2} ms CPU per connect");
    }

    private static async Task<Round> MeasureAsync(Func<string, MqttClientOptions> options, string prefix, int count, int appPid)
    {
        var (appBefore, clientBefore) = (CpuTime(appPid), Environment.CpuUsage.TotalTime);
        var (connected, elapsed) = await BrokerLoad.ConnectManyAsync(options, prefix, count, 32);
        var (appAfter, clientAfter) = (CpuTime(appPid), Environment.CpuUsage.TotalTime);
        await BrokerLoad.DisconnectAllAsync(connected);
        return new Round(count / elapsed.TotalSeconds, (appAfter - appBefore).TotalMilliseconds / count, (clientAfter - clientBefore).TotalMilliseconds / count);
    }

    /// <summary>User plus system CPU time of a process (/proc/pid/stat fields 14 and 15, in clock ticks of 10 ms).</summary>
    internal static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    private static double Median(IEnumerable<double> source)
    {
        var values = source.ToList();
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static bool Trusted(X509Certificate2 ca, X509Certificate? presented)
    {
        if (presented is not X509Certificate2 certificate)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static X509Certificate2 MakeCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=bench CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    private static (string Certificate, string Key) WriteServerCertificate(string folder, X509Certificate2 ca, bool rsa)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsaKey
            ? new CertificateRequest("CN=127.0.0.1", rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=127.0.0.1", (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        // Signed with the CA's ECDSA key whatever the server key is (the generator overload allows an RSA request).
        using var caKey = ca.GetECDsaPrivateKey()!;
        using var issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        var (certificate, keyFile) = (Path.Combine(folder, "server.pem"), Path.Combine(folder, "server.key"));
        File.WriteAllText(certificate, issued.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificate, keyFile);
    }
}
