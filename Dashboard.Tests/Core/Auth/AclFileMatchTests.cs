using Dashboard.Core.Auth;

namespace Dashboard.Tests.Core.Auth;

public class AclFileMatchTests
{
    private static AclFile Acl(string text)
    {
        var result = AclFile.Parse(text);
        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
        return result.Value!;
    }

    [Theory]
    // Equal levels.
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "a/c", false)]
    [InlineData("a/b", "a", false)]
    [InlineData("a/b", "a/b/c", false)]
    [InlineData("A/b", "a/b", false)]
    [InlineData("a b/c", "a b/c", true)]
    [InlineData("$SYS/x", "$SYS/x", true)]
    // "+" matches exactly one level, including a literal wildcard level of the request.
    [InlineData("a/+", "a/b", true)]
    [InlineData("a/+", "a/b/c", false)]
    [InlineData("a/+", "a", false)]
    [InlineData("a/+", "a/+", true)]
    [InlineData("a/+", "a/#", true)]
    [InlineData("a/+", "a/b+", true)]
    [InlineData("+/+", "a/b", true)]
    [InlineData("+", "a", true)]
    [InlineData("+", "a/b", false)]
    [InlineData("a/+/c", "a/+/c", true)]
    [InlineData("a/+/c", "a/#", false)]
    // "#" matches the rest, including nothing.
    [InlineData("a/#", "a", true)]
    [InlineData("a/#", "a/b", true)]
    [InlineData("a/#", "a/b/c", true)]
    [InlineData("a/#", "a/+/c", true)]
    [InlineData("a/#", "a/#", true)]
    [InlineData("a/#", "a/+", true)]
    [InlineData("a/#", "b", false)]
    [InlineData("a/#", "ab", false)]
    [InlineData("#", "anything/at/all", true)]
    [InlineData("#", "#", true)]
    [InlineData("a/+/#", "a/b", true)]
    [InlineData("a/+/#", "a", false)]
    // Wildcards in the request are literal: a narrower rule does not allow a wider filter.
    [InlineData("a/b", "a/+", false)]
    [InlineData("a/b", "a/#", false)]
    [InlineData("a/b", "#", false)]
    [InlineData("a/b/c", "a/+/c", false)]
    // Empty levels count.
    [InlineData("a//b", "a//b", true)]
    [InlineData("a//b", "a/b", false)]
    [InlineData("a/+/b", "a//b", true)]
    [InlineData("+/b", "/b", true)]
    [InlineData("a/", "a", false)]
    [InlineData("a/", "a/", true)]
    [InlineData("a/+", "a/", true)]
    [InlineData("a/#", "a/", true)]
    public void IsAllowed_RuleFilterAgainstRequest_MatchesLevelByLevel(string rule, string request, bool expected)
    {
        var acl = Acl($"topic {rule}");

        var read = acl.IsAllowed(AclAccess.Read, null, "client", "", request);
        var write = acl.IsAllowed(AclAccess.Write, null, "client", "", request);

        Assert.Equal(expected, read);
        Assert.Equal(expected, write);
    }

    [Fact]
    public void IsAllowed_ReadRule_AllowsSubscribeOnly()
    {
        var acl = Acl("topic read a");

        Assert.True(acl.IsAllowed(AclAccess.Read, null, "c", "", "a"));
        Assert.False(acl.IsAllowed(AclAccess.Write, null, "c", "", "a"));
        Assert.False(acl.IsAllowed(AclAccess.ReadWrite, null, "c", "", "a"));
    }

    [Fact]
    public void IsAllowed_WriteRule_AllowsPublishOnly()
    {
        var acl = Acl("topic write a");

        Assert.False(acl.IsAllowed(AclAccess.Read, null, "c", "", "a"));
        Assert.True(acl.IsAllowed(AclAccess.Write, null, "c", "", "a"));
    }

    [Fact]
    public void IsAllowed_RuleWithoutAccessWord_AllowsBoth()
    {
        var acl = Acl("topic a");

        Assert.True(acl.IsAllowed(AclAccess.Read, null, "c", "", "a"));
        Assert.True(acl.IsAllowed(AclAccess.Write, null, "c", "", "a"));
        Assert.True(acl.IsAllowed(AclAccess.ReadWrite, null, "c", "", "a"));
    }

    [Fact]
    public void IsAllowed_ReadWriteRequest_AllowedBySeparateReadAndWriteRules()
    {
        var acl = Acl("topic read a/#\nuser bob\ntopic write a/b");

        Assert.True(acl.IsAllowed(AclAccess.ReadWrite, "bob", "c", "", "a/b"));
        Assert.False(acl.IsAllowed(AclAccess.ReadWrite, "eve", "c", "", "a/b"));
    }

    [Fact]
    public void IsAllowed_NoAccess_Throws()
    {
        var acl = Acl("topic a");

        Assert.Throws<ArgumentOutOfRangeException>(() => acl.IsAllowed(AclAccess.None, null, "c", "", "a"));
    }

    [Fact]
    public void IsAllowed_NoMatchingRule_IsRefused()
    {
        var acl = Acl("topic a\nuser bob\ntopic b\npattern c/%u");

        Assert.False(acl.IsAllowed(AclAccess.Read, "bob", "c", "", "z"));
        Assert.False(acl.IsAllowed(AclAccess.Write, null, "c", "", "z"));
    }

    [Fact]
    public void IsAllowed_GlobalRule_AppliesToAnonymousAndEveryUser()
    {
        var acl = Acl("topic global/#\nuser bob\ntopic bob/#\n");

        Assert.True(acl.IsAllowed(AclAccess.Read, null, "c", "", "global/x"));
        Assert.True(acl.IsAllowed(AclAccess.Read, "bob", "c", "", "global/x"));
        Assert.True(acl.IsAllowed(AclAccess.Read, "someone", "c", "", "global/x"));
    }

    [Fact]
    public void IsAllowed_UserSection_AppliesOnlyToThatUser()
    {
        var acl = Acl("user bob\ntopic bob/#\nuser alice\ntopic alice/#\n");

        Assert.True(acl.IsAllowed(AclAccess.Read, "bob", "c", "", "bob/x"));
        Assert.False(acl.IsAllowed(AclAccess.Read, "alice", "c", "", "bob/x"));
        Assert.False(acl.IsAllowed(AclAccess.Read, null, "c", "", "bob/x"));
        Assert.False(acl.IsAllowed(AclAccess.Read, "Bob", "c", "", "bob/x"));
        Assert.True(acl.IsAllowed(AclAccess.Read, "alice", "c", "", "alice/x"));
    }

    [Fact]
    public void IsAllowed_RulesAfterFirstUserLine_AreNotGlobal()
    {
        var acl = Acl("topic before\nuser bob\ntopic after\n");

        Assert.True(acl.IsAllowed(AclAccess.Read, null, "c", "", "before"));
        Assert.False(acl.IsAllowed(AclAccess.Read, null, "c", "", "after"));
        Assert.False(acl.IsAllowed(AclAccess.Read, "alice", "c", "", "after"));
    }

    [Fact]
    public void IsAllowed_GlobalRuleNotInUserSection_StillAllowsThatUser()
    {
        // Global rules come first and allow; a user's section cannot take them away.
        var acl = Acl("topic read news/#\nuser bob\ntopic write bob/out\n");

        Assert.True(acl.IsAllowed(AclAccess.Read, "bob", "c", "", "news/today"));
        Assert.True(acl.IsAllowed(AclAccess.Write, "bob", "c", "", "bob/out"));
        Assert.False(acl.IsAllowed(AclAccess.Write, "bob", "c", "", "news/today"));
    }

    [Fact]
    public void IsAllowed_SameUserInTwoSections_RulesAreMerged()
    {
        var acl = Acl("user bob\ntopic one\nuser alice\ntopic two\nuser bob\ntopic three\n");

        Assert.True(acl.IsAllowed(AclAccess.Read, "bob", "c", "", "one"));
        Assert.True(acl.IsAllowed(AclAccess.Read, "bob", "c", "", "three"));
        Assert.False(acl.IsAllowed(AclAccess.Read, "bob", "c", "", "two"));
    }

    [Fact]
    public void IsAllowed_PatternWithUser_SubstitutesTheUserName()
    {
        var acl = Acl("pattern read users/%u/#");

        Assert.True(acl.IsAllowed(AclAccess.Read, "alice", "c", "", "users/alice/inbox"));
        Assert.True(acl.IsAllowed(AclAccess.Read, "alice", "c", "", "users/alice"));
        Assert.False(acl.IsAllowed(AclAccess.Read, "alice", "c", "", "users/bob/inbox"));
        Assert.False(acl.IsAllowed(AclAccess.Read, "alice", "c", "", "users/+/inbox"));
        Assert.False(acl.IsAllowed(AclAccess.Write, "alice", "c", "", "users/alice/inbox"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void IsAllowed_PatternWithUser_NeverMatchesAnonymousClient(string? user)
    {
        var acl = Acl("pattern users/%u/#\npattern %u");

        Assert.False(acl.IsAllowed(AclAccess.Read, user, "c", "", "users/%u/x"));
        Assert.False(acl.IsAllowed(AclAccess.Read, user, "c", "", "users//x"));
        Assert.False(acl.IsAllowed(AclAccess.Read, user, "c", "", "users"));
        Assert.False(acl.IsAllowed(AclAccess.Read, user, "c", "", ""));
    }

    [Fact]
    public void IsAllowed_PatternWithClientId_SubstitutesTheClientId()
    {
        var acl = Acl("pattern write devices/%c/status");

        Assert.True(acl.IsAllowed(AclAccess.Write, null, "sensor-7", "", "devices/sensor-7/status"));
        Assert.False(acl.IsAllowed(AclAccess.Write, null, "sensor-7", "", "devices/sensor-8/status"));
        Assert.False(acl.IsAllowed(AclAccess.Write, null, "sensor-7", "", "devices/%c/status"));
    }

    [Fact]
    public void IsAllowed_PatternWithMountpoint_SubstitutesTheMountpoint()
    {
        var acl = Acl("pattern read %m/status");

        Assert.True(acl.IsAllowed(AclAccess.Read, null, "c", "tenant1", "tenant1/status"));
        Assert.False(acl.IsAllowed(AclAccess.Read, null, "c", "tenant1", "tenant2/status"));
        // The default mountpoint is empty and substitutes as an empty level.
        Assert.True(acl.IsAllowed(AclAccess.Read, null, "c", "", "/status"));
        Assert.False(acl.IsAllowed(AclAccess.Read, null, "c", "", "status"));
    }

    [Fact]
    public void IsAllowed_PatternWithAllPlaceholders_SubstitutesEach()
    {
        var acl = Acl("pattern %m/%u/%c/#");

        Assert.True(acl.IsAllowed(AclAccess.Write, "alice", "phone", "mp", "mp/alice/phone/x"));
        Assert.False(acl.IsAllowed(AclAccess.Write, "alice", "phone", "mp", "mp/phone/alice/x"));
        Assert.False(acl.IsAllowed(AclAccess.Write, null, "phone", "mp", "mp/alice/phone/x"));
    }

    [Theory]
    [InlineData("pattern client-%c/x", "client-%c/x", true)]
    [InlineData("pattern client-%c/x", "client-c1/x", false)]
    [InlineData("pattern %u-home", "alice-home", false)]
    [InlineData("pattern %u-home", "%u-home", true)]
    [InlineData("pattern a/%mx", "a/%mx", true)]
    [InlineData("pattern a/%mx", "a/mpx", false)]
    public void IsAllowed_PlaceholderInsideALevel_IsLiteral(string line, string request, bool expected)
    {
        var acl = Acl(line);

        Assert.Equal(expected, acl.IsAllowed(AclAccess.Read, "alice", "c1", "mp", request));
    }

    [Fact]
    public void IsAllowed_PlaceholderInTopicLine_IsNotSubstituted()
    {
        var acl = Acl("topic users/%u");

        Assert.False(acl.IsAllowed(AclAccess.Read, "alice", "c", "", "users/alice"));
        Assert.True(acl.IsAllowed(AclAccess.Read, "alice", "c", "", "users/%u"));
    }

    [Theory]
    [InlineData("+", "users/bob/x")]
    [InlineData("#", "users/bob/x")]
    [InlineData("a/b", "users/a/b/x")]
    public void IsAllowed_WildcardOrSlashInSubstitutedName_IsLiteralSingleLevel(string user, string request)
    {
        var acl = Acl("pattern users/%u/x");

        Assert.False(acl.IsAllowed(AclAccess.Read, user, "c", "", request));
    }

    [Fact]
    public void IsAllowed_PatternWithUserWildcardName_MatchesOnlyItsOwnLiteralLevel()
    {
        var acl = Acl("pattern users/%u/x");

        Assert.True(acl.IsAllowed(AclAccess.Read, "+", "c", "", "users/+/x"));
    }

    [Fact]
    public void IsAllowed_PatternInUserSection_AppliesToOtherUsersToo()
    {
        var acl = Acl("user alice\ntopic alice/#\npattern read inbox/%u\n");

        Assert.True(acl.IsAllowed(AclAccess.Read, "bob", "c", "", "inbox/bob"));
        Assert.False(acl.IsAllowed(AclAccess.Read, "bob", "c", "", "alice/x"));
    }

    [Fact]
    public void IsAllowed_RepeatedChecks_AllocateNothing()
    {
        // Runs on every subscribe and publish: the request is walked in place, never split.
        var acl = Acl("topic read news/#\nuser bob\ntopic bob/+/x\npattern %m/%u/%c/#");
        var allowed = 0;
        for (var i = 0; i < 100; i++)
        {
            allowed += Check(acl);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            allowed += Check(acl);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(1100 * 3, allowed);

        static int Check(AclFile acl) =>
            (acl.IsAllowed(AclAccess.Read, "bob", "phone", "mp", "news/a/b") ? 1 : 0)
            + (acl.IsAllowed(AclAccess.Read, "bob", "phone", "mp", "bob/y/x") ? 1 : 0)
            + (acl.IsAllowed(AclAccess.Write, "bob", "phone", "mp", "mp/bob/phone/t") ? 1 : 0)
            + (acl.IsAllowed(AclAccess.Write, "bob", "phone", "mp", "other/topic") ? 1 : 0);
    }

    [Fact]
    public void IsAllowed_ManyUsers_UsesOnlyTheClientsSection()
    {
        var lines = Enumerable.Range(0, 10_000).Select(i => $"user u{i}\ntopic t{i}/#");
        var acl = Acl(string.Join("\n", lines));

        Assert.True(acl.IsAllowed(AclAccess.Read, "u9999", "c", "", "t9999/x"));
        Assert.False(acl.IsAllowed(AclAccess.Read, "u9999", "c", "", "t1/x"));
        Assert.Equal(10_000, acl.Users.Count);
    }
}
