using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dashboard.E2E;

/// <summary>
/// A CA and certificates made for one test run (System.Security.Cryptography, nothing from outside),
/// written as PEM (and one PFX) files into a folder of their own.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string PfxPassword = "pfx-password-7c6b5a";

    public TestCertificates()
    {
        Directory.CreateDirectory(Folder);
        using var ca = CreateCa("e2e test CA");
        using var otherCa = CreateCa("some other CA");
        CaFile = WriteCertificate("ca.pem", ca);
        OtherCaFile = WriteCertificate("other-ca.pem", otherCa);

        using var server = Issue(ca, "127.0.0.1", server: true, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        (ServerCertificate, ServerKey) = WritePem("server", server);
        ServerPfx = Path.Combine(Folder, "server.pfx");
        File.WriteAllBytes(ServerPfx, server.Export(X509ContentType.Pkcs12, PfxPassword));
        ServerThumbprint = server.Thumbprint;

        using var client = Issue(ca, ClientName, server: false, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        (ClientCertificate, ClientKey) = WritePem("client", client);
        using var stranger = Issue(otherCa, ClientName, server: false, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        (StrangerCertificate, StrangerKey) = WritePem("stranger", stranger);
        using var expired = Issue(ca, "127.0.0.1", server: true, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-2));
        (ExpiredCertificate, ExpiredKey) = WritePem("expired", expired);
    }

    /// <summary>The common name of the client certificates.</summary>
    public const string ClientName = "cert-device-17";

    /// <summary>A handler that trusts the test CA alone (not the machine's roots): a server passes only with a certificate it issued.</summary>
    public HttpClientHandler TrustingHandler()
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaFile);
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "dashboard-e2e-certs-" + Guid.NewGuid().ToString("N"));

    public string CaFile { get; }

    public string OtherCaFile { get; }

    public string ServerCertificate { get; }

    public string ServerKey { get; }

    public string ServerPfx { get; }

    public string ServerThumbprint { get; }

    public string ClientCertificate { get; }

    public string ClientKey { get; }

    /// <summary>A client certificate with the same name from a CA the broker does not trust.</summary>
    public string StrangerCertificate { get; }

    public string StrangerKey { get; }

    public string ExpiredCertificate { get; }

    public string ExpiredKey { get; }

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(60));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string name, bool server, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var issued = request.Create(ca, notBefore, notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    private string WriteCertificate(string file, X509Certificate2 certificate)
    {
        var path = Path.Combine(Folder, file);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    private (string Certificate, string Key) WritePem(string name, X509Certificate2 certificate)
    {
        var key = Path.Combine(Folder, name + ".key");
        File.WriteAllText(key, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (WriteCertificate(name + ".pem", certificate), key);
    }
}
