using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dashboard.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Dashboard.Broker;

/// <summary>How MQTT over TLS asks for client certificates (<c>Mqtt:Tls:ClientCertificates</c>).</summary>
internal enum ClientCertificates
{
    None,
    Optional,
    Required,
}

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
    public const int DefaultPort = 8883;

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

    /// <summary>Whether a certificate's common name becomes the user name (read without loading the certificate).</summary>
    public static bool IdentityAsUsername(IConfiguration configuration) =>
        ParseBool(configuration, "Mqtt:Tls:UseIdentityAsUsername");

    /// <summary>The TLS listener's settings, or null when no certificate is set. Throws a <see cref="SettingException"/> for a bad one.</summary>
    public static MqttTls? From(IConfiguration configuration, TimeProvider time, ILogger logger)
    {
        var certificate = CertificateFiles.From(configuration, "Mqtt:Tls", time, logger);
        if (certificate is null)
        {
            return null;
        }
        var port = EndpointSettings.From(configuration, "Mqtt:Tls", DefaultPort).Port;
        var modeText = configuration["Mqtt:Tls:ClientCertificates"];
        var mode = string.IsNullOrWhiteSpace(modeText) ? ClientCertificates.None
            : Enum.TryParse<ClientCertificates>(modeText.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !modeText.Trim().All(char.IsDigit) ? parsed
            : throw new SettingException($"Mqtt:Tls:ClientCertificates \"{modeText}\" is not one of none, optional, required.");
        var identity = IdentityAsUsername(configuration);
        var caFile = configuration["Mqtt:Tls:CaFile"];
        var authorities = new X509Certificate2Collection();
        if (mode != ClientCertificates.None)
        {
            if (string.IsNullOrWhiteSpace(caFile))
            {
                throw new SettingException($"Mqtt:Tls:ClientCertificates is {modeText!.Trim()} but Mqtt:Tls:CaFile is not set (the PEM file of the CA that signs client certificates).");
            }
            try
            {
                authorities.ImportFromPemFile(caFile.Trim());
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
        else if (identity)
        {
            throw new SettingException("Mqtt:Tls:UseIdentityAsUsername is true but Mqtt:Tls:ClientCertificates is none: set it to optional or required.");
        }
        return new MqttTls(certificate, port, mode, authorities, identity);
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

    private static bool ParseBool(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        return string.IsNullOrWhiteSpace(text) ? false
            : bool.TryParse(text.Trim(), out var value) ? value
            : throw new SettingException($"{key} \"{text}\" is not true or false.");
    }
}
