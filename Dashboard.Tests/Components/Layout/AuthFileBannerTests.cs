using Dashboard.Broker;
using Dashboard.Components.Layout;
using Dashboard.Core.Auth;

namespace Dashboard.Tests.Components.Layout;

/// <summary>What the Admins' banner says about an auth file in trouble: the file, what is wrong, since when, which rules apply.</summary>
public sealed class AuthFileBannerTests
{
    private static readonly DateTimeOffset Since = new(2026, 11, 27, 12, 3, 4, TimeSpan.Zero);
    private static readonly DateTimeOffset Loaded = new(2026, 11, 27, 11, 58, 0, TimeSpan.Zero);

    [Fact]
    public void Text_UnreadableWithEarlierRules_SaysTheyStay() =>
        Assert.Equal("The ACL file /etc/vmq.acl cannot be read (permission denied) since 12:03:04 UTC: the rules loaded at 11:58:00 UTC stay in force until a valid file can be read.",
            AuthFileBanner.Text(new AuthFileTrouble("ACL file", "/etc/vmq.acl", new AuthFileProblem(AuthFileProblemKind.Unreadable, "permission denied", Since, 3, Loaded))));

    [Fact]
    public void Text_MalformedAndNeverLoaded_SaysNothingIsAllowed()
    {
        Assert.Equal("The ACL file /etc/vmq.acl has malformed lines (line 2: \"user\" needs a name) since 12:03:04 UTC: no valid version was ever loaded, so no client may publish or subscribe to anything.",
            AuthFileBanner.Text(new AuthFileTrouble("ACL file", "/etc/vmq.acl", new AuthFileProblem(AuthFileProblemKind.Malformed, "line 2: \"user\" needs a name", Since, 0, null))));
        Assert.EndsWith("no valid version was ever loaded, so no client with a user name can connect.",
            AuthFileBanner.Text(new AuthFileTrouble("password file", "/etc/vmq.passwd", new AuthFileProblem(AuthFileProblemKind.Missing, null, Since, 0, null))), StringComparison.Ordinal);
    }
}
