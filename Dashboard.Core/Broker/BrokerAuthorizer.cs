using Dashboard.Core.Actions;
using Dashboard.Core.Auth;
using Dashboard.Core.Blocks;
using Dashboard.Core.Sessions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Dashboard.Core.Broker;

/// <summary>
/// The broker's connect, subscribe and publish checks from VerneMQ's files: the password file for
/// credentials, the ACL file for topics. Without an ACL file everything is allowed; without a password
/// file any credentials are accepted. The files' current versions are read on each check, so a reload
/// applies to the next packet.
/// </summary>
/// <param name="allowAnonymous">Whether clients without a user name may connect.</param>
/// <param name="passwords">The current password file, or null when none is configured.</param>
/// <param name="acl">The current ACL file, or null when none is configured.</param>
/// <param name="maxClientIdBytes">The longest client id accepted, in UTF-8 bytes (<c>Broker:MaxClientIdLength</c>).</param>
/// <param name="blocks">The blocked clients, refused before any password check; null: none.</param>
/// <param name="time">The clock block expiry is judged by; the system's when null.</param>
public sealed class BrokerAuthorizer(bool allowAnonymous, Func<PasswordFile>? passwords, Func<AclFile>? acl,
    int maxClientIdBytes = BrokerAuthorizer.DefaultMaxClientIdBytes, ClientBlockList? blocks = null, TimeProvider? time = null)
    : ISubscriptionPolicy
{
    /// <summary>
    /// MQTT allows 65,535 bytes, but every session must stay reachable at its own address
    /// (<c>/sessions/&lt;id&gt;</c>, up to three characters per byte once escaped, under the web server's
    /// 8 KB request line) and readable in a table; VerneMQ's own default is 100.
    /// </summary>
    public const int DefaultMaxClientIdBytes = 1024;

    private const string Mountpoint = "";

    /// <summary>
    /// Whether a client whose TLS certificate names it (its subject's common name, checked against the CA
    /// by the TLS layer and made its user name there) is let in without a password, as VerneMQ's
    /// <c>use_identity_as_username</c> does.
    /// </summary>
    public bool CertificateIdentity { get; init; }

    /// <summary>Subscribes the checks; attach before the <see cref="SessionTracker"/> so refused clients are never recorded.</summary>
    public void Attach(MqttServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.ValidatingConnectionAsync += args =>
        {
            Validate(args);
            return Task.CompletedTask;
        };
        server.InterceptingSubscriptionAsync += args =>
        {
            if (args.TopicFilter.Topic.Contains('\0', StringComparison.Ordinal)
                || !IsAllowed(AclAccess.Read, args.UserName, args.ClientId, args.TopicFilter.Topic))
            {
                args.ProcessSubscription = false;
                args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            }
            return Task.CompletedTask;
        };
        server.InterceptingPublishAsync += args =>
        {
            if (args.ApplicationMessage.Topic.Contains('\0', StringComparison.Ordinal)
                || !IsAllowed(AclAccess.Write, args.UserName, args.ClientId, args.ApplicationMessage.Topic))
            {
                args.ProcessPublish = false;
                args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            }
            return Task.CompletedTask;
        };
    }

    /// <summary>Whether the ACL file (if any) allows this access.</summary>
    public bool IsAllowed(AclAccess access, string? user, string clientId, string topic) =>
        acl is null || acl().IsAllowed(access, string.IsNullOrEmpty(user) ? null : user, clientId, Mountpoint, topic);

    /// <inheritdoc />
    public SubscriptionRecheck Recheck(string user, string clientId, string mountpoint, IReadOnlyList<Subscription> subscriptions)
    {
        if (acl is null)
        {
            return new SubscriptionRecheck([], []);
        }
        var outcome = AclReauthorizer.Reauthorize(acl(), user, clientId, mountpoint, subscriptions);
        return new SubscriptionRecheck(outcome.Removed, outcome.Added);
    }

    /// <summary>The identity a client certificate gives: its subject's common name.</summary>
    public static string IdentityOf(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: false);
    }

    private void Validate(ValidatingConnectionEventArgs args)
    {
        // MQTT strings may not hold U+0000 (MQTT 3.1.1 §1.5.3, MQTT 5 §1.5.4); a client id with one could
        // not be named in a URL, a file or a terminal, so it is refused rather than stored.
        if (args.ClientId?.Contains('\0', StringComparison.Ordinal) == true || args.UserName?.Contains('\0', StringComparison.Ordinal) == true)
        {
            args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            args.ReasonString = "Client ids and user names may not contain U+0000";
            return;
        }
        if (args.ClientId is { Length: > 0 } id && System.Text.Encoding.UTF8.GetByteCount(id) > maxClientIdBytes)
        {
            args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            args.ReasonString = $"Client ids may be at most {maxClientIdBytes} bytes long";
            return;
        }
        // Blocks before credentials: a blocked client learns nothing about its password. MQTTnet sends
        // Banned (0x8A) to MQTT 5 clients and "not authorized" (return code 5) to MQTT 3.x ones.
        if (blocks?.Match(args.ClientId ?? "", string.IsNullOrEmpty(args.UserName) ? null : args.UserName,
                (args.RemoteEndPoint as System.Net.IPEndPoint)?.Address, (time ?? TimeProvider.System).GetUtcNow()) is not null)
        {
            args.ReasonCode = MqttConnectReasonCode.Banned;
            args.ReasonString = "This client is blocked";
            return;
        }
        if (string.IsNullOrEmpty(args.ClientId) && args.ProtocolVersion == MqttProtocolVersion.V500)
        {
            // MQTT 5 lets the server name a client that sent no id (reported back in CONNACK).
            args.AssignedClientIdentifier = "auto-" + Guid.NewGuid().ToString("N");
        }
        if (string.IsNullOrEmpty(args.UserName))
        {
            if (!allowAnonymous)
            {
                args.ReasonCode = MqttConnectReasonCode.NotAuthorized;
                args.ReasonString = "Anonymous clients are not allowed";
            }
            return;
        }
        if (CertificateIdentity && args.ClientCertificate is { } certificate
            && string.Equals(args.UserName, IdentityOf(certificate), StringComparison.Ordinal))
        {
            return;
        }
        if (passwords is not null && !passwords().Verify(args.UserName, args.Password))
        {
            args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        }
    }
}
