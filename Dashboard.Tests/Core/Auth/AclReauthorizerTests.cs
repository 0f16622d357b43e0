using Dashboard.Core.Auth;
using Dashboard.Core.Sessions;

namespace Dashboard.Tests.Core.Auth;

public class AclReauthorizerTests
{
    private static AclFile Acl(string text)
    {
        var result = AclFile.Parse(text);
        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
        return result.Value!;
    }

    [Fact]
    public void Reauthorize_TopicNoLongerAllowed_RemovesExactlyThatSubscription()
    {
        // VerneMQ's own reauthorize test: subscribed to some/reauth/1 and /2, then /1 is no longer allowed.
        Subscription[] subscriptions = [new("some/reauth/1", 0), new("some/reauth/2", 1)];
        var before = Acl("topic read some/reauth/1\ntopic read some/reauth/2\n");
        var after = Acl("topic read some/reauth/2\n");
        Assert.False(AclReauthorizer.Reauthorize(before, null, "reauth-client", "", subscriptions).Changed);

        var outcome = AclReauthorizer.Reauthorize(after, null, "reauth-client", "", subscriptions);

        Assert.True(outcome.Changed);
        Assert.Equal(["some/reauth/1"], outcome.Removed);
        Assert.Equal([subscriptions[1]], outcome.Kept);
        Assert.Empty(outcome.Added);
    }

    [Fact]
    public void Reauthorize_EverythingStillAllowed_IsUnchangedAndKeepsOptions()
    {
        Subscription[] subscriptions = [new("a/1", 2, RetainAsPublished: true, NoLocal: false), new("a/+", 1)];
        var acl = Acl("topic read a/#");

        var outcome = AclReauthorizer.Reauthorize(acl, "bob", "c", "", subscriptions);

        Assert.False(outcome.Changed);
        Assert.Empty(outcome.Removed);
        Assert.Equal(subscriptions, outcome.Kept);
    }

    [Fact]
    public void Reauthorize_NoSubscriptions_IsUnchanged()
    {
        var outcome = AclReauthorizer.Reauthorize(Acl("topic a"), "bob", "c", "", []);

        Assert.False(outcome.Changed);
        Assert.Empty(outcome.Kept);
    }

    [Fact]
    public void Reauthorize_WriteOnlyRule_DoesNotKeepSubscription()
    {
        var outcome = AclReauthorizer.Reauthorize(Acl("topic write a"), null, "c", "", [new("a", 0)]);

        Assert.Equal(["a"], outcome.Removed);
    }

    [Fact]
    public void Reauthorize_WildcardSubscriptionWiderThanRule_IsRemoved()
    {
        var outcome = AclReauthorizer.Reauthorize(Acl("topic read a/b"), null, "c", "", [new("a/+", 0), new("a/b", 0)]);

        Assert.Equal(["a/+"], outcome.Removed);
        Assert.Equal("a/b", Assert.Single(outcome.Kept).Topic);
    }

    [Fact]
    public void Reauthorize_AsGivenUser_UsesThatUsersSectionAndPatterns()
    {
        var acl = Acl("user bob\ntopic read bob/#\npattern read devices/%c/#\npattern read inbox/%u\n");
        Subscription[] subscriptions = [new("bob/x", 0), new("devices/phone/y", 1), new("inbox/bob", 0), new("inbox/alice", 0)];

        var asBob = AclReauthorizer.Reauthorize(acl, "bob", "phone", "", subscriptions);
        var asAnonymous = AclReauthorizer.Reauthorize(acl, null, "phone", "", subscriptions);

        Assert.Equal(["inbox/alice"], asBob.Removed);
        Assert.Equal(["bob/x", "inbox/bob", "inbox/alice"], asAnonymous.Removed);
    }

    [Fact]
    public void Reauthorize_FailClosedAcl_RemovesEverything()
    {
        var outcome = AclReauthorizer.Reauthorize(AclFile.Empty, "bob", "c", "", [new("a", 0), new("b", 1)]);

        Assert.Equal(["a", "b"], outcome.Removed);
        Assert.Empty(outcome.Kept);
    }
}
