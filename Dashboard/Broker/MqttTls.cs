using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dashboard.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Dashboard.Broker;

/// <summary>
/// MQTT over TLS (docs/deploying.md): <c>Mqtt:Tls:Certificate</c> (with <c>CertificateKey</c>,
/// <c>CertificatePassword</c>) turns on a TLS listener on <c>Mqtt:Address</c>:<c>Mqtt:Tls:Port</c>
/// (8883), beside plain MQTT. It runs in Kestrel like the plain listener, so the same input guard,
/// restore gate and client-id assignment apply to it. Client certificates (<c>ClientCertificates</c>
/// <c>optional</c> or <c>required</c>) must chain to a CA of <c>Mqtt:Tls:CaFile</c>;
/// <c>UseIdentityAsUsername</c> makes a certificate's common name the client's user name.
/// </summary>
internal sealed class MqttTls
{
    private readonly X509Certificate2Collection _authorities;

    private MqttTls(CertificateFiles certificate, int port, ClientCertificates clientCertificates, X509Certificate2Collection authorities, bool identityAsUsername)
    {
        Certificate = certificate;
        Port = port;
        ClientCertificates = clientCertificates;
        _authorities = authorities;
        UseIdentityAsUsername = identityAsUsername;
    }

    public CertificateFiles Certificate { get; }

    public int Port { get; }

    public ClientCertificates ClientCertificates { get; }

    public bool UseIdentityAsUsername { get; }

    /// <summary>The TLS listener of the checked options, or null when no certificate is set. Throws a <see cref="SettingException"/> for a file that cannot be used.</summary>
    public static MqttTls? From(MqttTlsOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var certificate = CertificateFiles.From("Mqtt:Tls", options.Certificate, options.CertificateKey, options.CertificatePassword, time, logger);
        if (certificate is null)
        {
            return null;
        }
        var authorities = new X509Certificate2Collection();
        // The options' check made sure a CA file is set when client certificates are asked for.
        if (options.ClientCertificates != ClientCertificates.None && options.CaFile is { } caFile)
        {
            try
            {
                authorities.ImportFromPemFile(caFile);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new SettingException($"Mqtt:Tls:CaFile \"{caFile}\" cannot be read as PEM certificates: {exception.Message}", exception);
            }
            if (authorities.Count == 0)
            {
                throw new SettingException($"Mqtt:Tls:CaFile \"{caFile}\" holds no PEM certificate.");
            }
        }
        return new MqttTls(certificate, options.Port, options.ClientCertificates, authorities, options.UseIdentityAsUsername);
    }

    /// <summary>Kestrel's TLS options for the listener: the current certificate on every handshake, client certificates checked against the CA file.</summary>
    public HttpsConnectionAdapterOptions HttpsOptions() => new()
    {
        ServerCertificateSelector = (_, _) => Certificate.Current,
        ClientCertificateMode = ClientCertificates switch
        {
            ClientCertificates.Required => ClientCertificateMode.RequireCertificate,
            ClientCertificates.Optional => ClientCertificateMode.AllowCertificate,
            _ => ClientCertificateMode.NoCertificate,
        },
        ClientCertificateValidation = (certificate, _, _) => IsIssuedByCa(certificate),
    };

    /// <summary>Whether the certificate chains to one of the CA file's certificates (only those; the system's roots do not count).</summary>
    public bool IsIssuedByCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        return chain.Build(certificate);
    }
}
