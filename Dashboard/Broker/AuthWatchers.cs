using Dashboard.Core.Auth;
using Dashboard.Core.Blocks;
using Dashboard.Core.Broker;
using Dashboard.Hosting;

namespace Dashboard.Broker;

/// <summary>The watched <c>Broker:PasswordFile</c> and <c>Broker:AclFile</c>, when configured; disposed with the host.</summary>
internal sealed class AuthWatchers : IDisposable
{
    private readonly AuthFileWatcher<PasswordFile>? _passwords;
    private readonly AuthFileWatcher<AclFile>? _acl;

    public AuthWatchers(BrokerOptions broker, ILoggerFactory loggers)
    {
        if (broker.PasswordFile is { } passwordPath)
        {
            _passwords = AuthFiles.WatchPasswords(Path.GetFullPath(passwordPath), loggers.CreateLogger("Dashboard.Broker.PasswordFile"));
        }
        if (broker.AclFile is { } aclPath)
        {
            _acl = AuthFiles.WatchAcl(Path.GetFullPath(aclPath), loggers.CreateLogger("Dashboard.Broker.AclFile"));
        }
    }

    public BrokerAuthorizer CreateAuthorizer(bool allowAnonymous, int maxClientIdBytes = BrokerAuthorizer.DefaultMaxClientIdBytes,
        bool certificateIdentity = false, ClientBlockList? blocks = null, TimeProvider? time = null)
    {
        var passwords = _passwords;
        var acl = _acl;
        return new BrokerAuthorizer(
            allowAnonymous,
            passwords is null ? null : () => passwords.Current,
            acl is null ? null : () => acl.Current,
            maxClientIdBytes,
            blocks,
            time) { CertificateIdentity = certificateIdentity };
    }

    public void Dispose()
    {
        _passwords?.Dispose();
        _acl?.Dispose();
    }
}
