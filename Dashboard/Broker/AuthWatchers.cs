using Dashboard.Core.Auth;
using Dashboard.Core.Blocks;
using Dashboard.Core.Broker;
using Dashboard.Hosting;

namespace Dashboard.Broker;

/// <summary>A watched auth file in trouble: which one (<c>ACL file</c> or <c>password file</c>), where, and what is wrong.</summary>
internal sealed record AuthFileTrouble(string Name, string Path, AuthFileProblem Problem);

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
            _passwords.ProblemChanged += (_, _) => ProblemChanged?.Invoke();
        }
        if (broker.AclFile is { } aclPath)
        {
            _acl = AuthFiles.WatchAcl(Path.GetFullPath(aclPath), loggers.CreateLogger("Dashboard.Broker.AclFile"));
            _acl.ProblemChanged += (_, _) => ProblemChanged?.Invoke();
        }
    }

    /// <summary>The files that are missing, unreadable or malformed right now (the Admins' banner shows them).</summary>
    public IReadOnlyList<AuthFileTrouble> Troubles
    {
        get
        {
            var troubles = new List<AuthFileTrouble>(2);
            if (_acl?.Problem is { } acl)
            {
                troubles.Add(new AuthFileTrouble("ACL file", _acl.FilePath, acl));
            }
            if (_passwords?.Problem is { } passwords)
            {
                troubles.Add(new AuthFileTrouble("password file", _passwords.FilePath, passwords));
            }
            return troubles;
        }
    }

    /// <summary>Raised when <see cref="Troubles"/> changes, on the watcher's thread.</summary>
    public event Action? ProblemChanged;

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
