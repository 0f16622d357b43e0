using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dashboard.Hosting;

/// <summary>
/// A server certificate from configuration: <c>{Section}:Certificate</c> (a PEM file, with the key in
/// it or in <c>{Section}:CertificateKey</c>; or a PFX/PKCS#12 file), <c>{Section}:CertificatePassword</c>
/// for an encrypted key or PFX. Loaded and checked at start (a file missing, unreadable, without a
/// private key, not yet valid or expired stops the start with a <see cref="SettingException"/> naming
/// the setting); afterwards the files are looked at again at most every two seconds when a TLS
/// handshake asks for the certificate, and a renewed certificate is used from the next handshake on.
/// A renewal that cannot be used is logged and the previous certificate stays.
/// </summary>
internal sealed partial class CertificateFiles
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(2);

    private readonly string _section;
    private readonly string _certificatePath;
    private readonly string? _keyPath;
    private readonly string? _password;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private X509Certificate2 _current;
    private (DateTime, DateTime?) _stamps;
    private DateTimeOffset _checkedAt;

    private CertificateFiles(string section, string certificatePath, string? keyPath, string? password, TimeProvider time, ILogger logger)
    {
        _section = section;
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _password = password;
        _time = time;
        _logger = logger;
        _stamps = Stamps();
        _current = Load(section, certificatePath, keyPath, password, time.GetUtcNow());
        _checkedAt = time.GetUtcNow();
    }

    /// <summary>
    /// The section's certificate (<c>{Section}:Certificate</c>, <c>CertificateKey</c>, <c>CertificatePassword</c>
    /// from its options), or null when no certificate file is set.
    /// </summary>
    public static CertificateFiles? From(string section, string? certificate, string? key, string? password, TimeProvider time, ILogger logger) =>
        certificate is null ? null : new CertificateFiles(section, certificate, key, password, time, logger);

    /// <summary>The certificate to present now: reloaded first when its files changed.</summary>
    public X509Certificate2 Current
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_lock)
            {
                if (now - _checkedAt < CheckEvery)
                {
                    return _current;
                }
                _checkedAt = now;
                var stamps = Stamps();
                if (stamps == _stamps)
                {
                    return _current;
                }
                _stamps = stamps;
                try
                {
                    _current = Load(_section, _certificatePath, _keyPath, _password, now);
                    LogReloaded(_logger, _section, _current.Subject, _current.NotAfter);
                }
                catch (SettingException exception)
                {
                    LogReloadFailed(_logger, exception.Message);
                }
                return _current;
            }
        }
    }

    /// <summary>Reads and checks a certificate with its private key; throws a <see cref="SettingException"/> naming the setting.</summary>
    public static X509Certificate2 Load(string section, string certificatePath, string? keyPath, string? password, DateTimeOffset now)
    {
        var setting = $"{section}:Certificate";
        X509Certificate2 certificate;
        try
        {
            if (!File.Exists(certificatePath))
            {
                throw new SettingException($"{setting} \"{certificatePath}\": the file does not exist.");
            }
            if (keyPath is not null && !File.Exists(keyPath))
            {
                throw new SettingException($"{section}:CertificateKey \"{keyPath}\": the file does not exist.");
            }
            var bytes = File.ReadAllBytes(certificatePath);
            var isPem = bytes.AsSpan().IndexOf("-----BEGIN"u8) >= 0;
            if (isPem)
            {
                var certificateText = File.ReadAllText(certificatePath);
                var keyText = keyPath is null ? certificateText : File.ReadAllText(keyPath);
                using var loaded = password is null
                    ? X509Certificate2.CreateFromPem(certificateText, keyText)
                    : X509Certificate2.CreateFromEncryptedPem(certificateText, keyText, password);
                // An ephemeral PEM key is not usable by every TLS stack; a PKCS#12 round trip makes it a normal one.
                certificate = X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
            }
            else
            {
                certificate = X509CertificateLoader.LoadPkcs12(bytes, password);
            }
        }
        catch (SettingException)
        {
            throw;
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new SettingException($"{setting} \"{certificatePath}\": the file cannot be read ({exception.Message}).", exception);
        }
        catch (IOException exception)
        {
            throw new SettingException($"{setting} \"{certificatePath}\": the file cannot be read ({exception.Message}).", exception);
        }
        catch (CryptographicException exception)
        {
            throw new SettingException(
                $"{setting} \"{certificatePath}\" is not a certificate with its private key (PEM with the key in it or in {section}:CertificateKey, or PFX; " +
                $"{section}:CertificatePassword when the key or PFX is encrypted): {exception.Message}", exception);
        }
        catch (ArgumentException exception)
        {
            throw new SettingException($"{setting} \"{certificatePath}\" is not a certificate with its private key: {exception.Message}", exception);
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new SettingException($"{setting} \"{certificatePath}\" has no private key (set {section}:CertificateKey to the key's PEM file).");
        }
        if (now.UtcDateTime > certificate.NotAfter.ToUniversalTime())
        {
            var notAfter = certificate.NotAfter.ToUniversalTime();
            certificate.Dispose();
            throw new SettingException($"{setting} \"{certificatePath}\" expired on {notAfter:yyyy-MM-dd HH:mm} UTC.");
        }
        if (now.UtcDateTime < certificate.NotBefore.ToUniversalTime())
        {
            var notBefore = certificate.NotBefore.ToUniversalTime();
            certificate.Dispose();
            throw new SettingException($"{setting} \"{certificatePath}\" is not valid before {notBefore:yyyy-MM-dd HH:mm} UTC.");
        }
        return certificate;
    }

    private (DateTime, DateTime?) Stamps() =>
        (File.GetLastWriteTimeUtc(_certificatePath), _keyPath is null ? null : File.GetLastWriteTimeUtc(_keyPath));

    [LoggerMessage(Level = LogLevel.Information, Message = "{Section}:Certificate changed on disk; now using {Subject}, valid until {NotAfter:u}")]
    private static partial void LogReloaded(ILogger logger, string section, string subject, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The renewed certificate cannot be used, the previous one stays: {Problem}")]
    private static partial void LogReloadFailed(ILogger logger, string problem);
}
