using Dashboard.Core.Auth;

namespace Dashboard.Tests.Core.Auth;

public class AclFileParseTests
{
    private static AclFile ParseValid(string text)
    {
        var result = AclFile.Parse(text);
        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
        return result.Value!;
    }

    private static IReadOnlyList<string> ParseErrors(string text)
    {
        var result = AclFile.Parse(text);
        Assert.False(result.IsSuccess);
        Assert.Null(result.Value);
        return [.. result.Errors.Select(error => error.ToString())];
    }

    [Fact]
    public void Parse_EmptyText_NoRules()
    {
        var acl = ParseValid("");

        Assert.Empty(acl.Rules);
        Assert.False(acl.IsAllowed(AclAccess.Read, null, "c", "", "a"));
    }

    [Fact]
    public void Parse_CommentsAndBlankLines_AreIgnored()
    {
        var text = "# a comment\n\n   \n\t\n  # indented comment\ntopic a\n#topic b\n";

        var acl = ParseValid(text);

        var rule = Assert.Single(acl.Rules);
        Assert.Equal("a", rule.Topic);
        Assert.Equal(6, rule.Line);
    }

    [Fact]
    public void Parse_CrlfLineEndings_AcceptedWithoutCarriageReturnsInTopics()
    {
        var text = "topic read a/b\r\nuser bob\r\ntopic write c/d\r\n";

        var acl = ParseValid(text);

        Assert.Collection(
            acl.Rules,
            rule => Assert.Equal(("a/b", AclAccess.Read, (string?)null), (rule.Topic, rule.Access, rule.User)),
            rule => Assert.Equal(("c/d", AclAccess.Write, (string?)"bob"), (rule.Topic, rule.Access, rule.User)));
        Assert.True(acl.IsAllowed(AclAccess.Read, null, "c", "", "a/b"));
        Assert.True(acl.IsAllowed(AclAccess.Write, "bob", "c", "", "c/d"));
    }

    [Fact]
    public void Parse_MixedAndLoneCarriageReturnLineBreaks_CountLinesLikeEditors()
    {
        var text = "topic a\rtopic b\r\ntopics c\n";

        var errors = ParseErrors(text);

        Assert.Equal(["line 3: unknown keyword \"topics\""], errors);
    }

    [Fact]
    public void Parse_SurroundingAndInnerWhitespace_Accepted()
    {
        var text = "   topic   read    a/b   \n\t pattern\twrite\t%u/x \t\n  user    bob  \n topic  c ";

        var acl = ParseValid(text);

        Assert.Collection(
            acl.Rules,
            rule => Assert.Equal(("a/b", AclAccess.Read, AclRuleScope.Global), (rule.Topic, rule.Access, rule.Scope)),
            rule => Assert.Equal(("%u/x", AclAccess.Write, AclRuleScope.Pattern), (rule.Topic, rule.Access, rule.Scope)),
            rule => Assert.Equal(("c", AclAccess.ReadWrite, AclRuleScope.User), (rule.Topic, rule.Access, rule.Scope)));
        Assert.Equal("bob", acl.Rules[2].User);
    }

    [Fact]
    public void Parse_ByteOrderMark_Skipped()
    {
        var acl = ParseValid("\uFEFFtopic a\n");

        Assert.Equal("a", Assert.Single(acl.Rules).Topic);
    }

    [Theory]
    [InlineData("topic read a/b", AclAccess.Read)]
    [InlineData("topic write a/b", AclAccess.Write)]
    [InlineData("topic a/b", AclAccess.ReadWrite)]
    [InlineData("pattern read a/b", AclAccess.Read)]
    [InlineData("pattern write a/b", AclAccess.Write)]
    [InlineData("pattern a/b", AclAccess.ReadWrite)]
    public void Parse_AccessWord_SetsRuleAccess(string line, AclAccess expected)
    {
        var acl = ParseValid(line);

        var rule = Assert.Single(acl.Rules);
        Assert.Equal(expected, rule.Access);
        Assert.Equal("a/b", rule.Topic);
    }

    [Theory]
    [InlineData("topic read a b/c d ", "a b/c d", AclAccess.Read)]
    [InlineData("topic reading/x", "reading/x", AclAccess.ReadWrite)]
    [InlineData("topic writes", "writes", AclAccess.ReadWrite)]
    [InlineData("topic read read", "read", AclAccess.Read)]
    [InlineData("topic write  spaced   out ", "spaced   out", AclAccess.Write)]
    public void Parse_TopicText_IsRestOfLineTrimmed(string line, string topic, AclAccess access)
    {
        var acl = ParseValid(line);

        var rule = Assert.Single(acl.Rules);
        Assert.Equal((topic, access), (rule.Topic, rule.Access));
    }

    [Fact]
    public void Parse_LinesBeforeFirstUser_AreGlobalAndLaterOnesBelongToTheSection()
    {
        var text = "topic g1\ntopic read g2\nuser alice\ntopic a1\nuser bob\ntopic b1\n";

        var acl = ParseValid(text);

        Assert.Equal(
            [(AclRuleScope.Global, null), (AclRuleScope.Global, null), (AclRuleScope.User, "alice"), (AclRuleScope.User, "bob")],
            acl.Rules.Select(rule => (rule.Scope, rule.User)).ToArray());
        Assert.Equal(["alice", "bob"], acl.Users.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parse_UserNameWithInnerSpaces_KeptWhole()
    {
        var acl = ParseValid("user  Ada Lovelace  \ntopic a");

        Assert.Equal("Ada Lovelace", Assert.Single(acl.Rules).User);
    }

    [Fact]
    public void Parse_PatternInsideUserSection_AppliesToEveryone()
    {
        var acl = ParseValid("user alice\npattern read shared/%u\n");

        var rule = Assert.Single(acl.Rules);
        Assert.Equal(AclRuleScope.Pattern, rule.Scope);
        Assert.Null(rule.User);
    }

    [Fact]
    public void Parse_UnknownKeyword_ReportsLineNumberAndKeyword()
    {
        var text = "# header\ntopic a\n\nuser bob\ntopic b\n# note\ntopics c/d\n";

        var errors = ParseErrors(text);

        Assert.Equal(["line 7: unknown keyword \"topics\""], errors);
    }

    [Theory]
    [InlineData("topic read", "\"topic read\" needs a topic")]
    [InlineData("topic write   ", "\"topic write\" needs a topic")]
    [InlineData("topic", "\"topic\" needs a topic")]
    [InlineData("pattern read", "\"pattern read\" needs a topic")]
    [InlineData("pattern write", "\"pattern write\" needs a topic")]
    [InlineData("pattern \t", "\"pattern\" needs a topic")]
    [InlineData("user", "\"user\" needs a name")]
    [InlineData("user   ", "\"user\" needs a name")]
    public void Parse_KeywordWithoutArgument_ReportsWhatIsMissing(string line, string message)
    {
        var errors = ParseErrors($"topic ok\n\n{line}\n");

        Assert.Equal([$"line 3: {message}"], errors);
    }

    [Theory]
    [InlineData("Topic a")]
    [InlineData("TOPIC a")]
    [InlineData("User bob")]
    public void Parse_KeywordInOtherCase_IsUnknown(string line)
    {
        var errors = ParseErrors(line);

        Assert.Equal([$"line 1: unknown keyword \"{line.Split(' ')[0]}\""], errors);
    }

    [Theory]
    [InlineData("topic a/#/b", "\"#\" is allowed only as the last level")]
    [InlineData("topic a/b#", "must be a whole level")]
    [InlineData("topic a+/b", "must be a whole level")]
    [InlineData("pattern read a/b # my comment", "comments go on their own line")]
    [InlineData("topic a\0b", "NUL")]
    public void Parse_InvalidWildcardPlacement_IsMalformed(string line, string reason)
    {
        var errors = ParseErrors(line);

        var error = Assert.Single(errors);
        Assert.StartsWith("line 1: invalid topic", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralMalformedLines_ReportsEachInOrderAndNoRules()
    {
        var text = "topic good\nbogus\ntopic read\nuser\ntopic also/good\npattern a/#/b\n";

        var result = AclFile.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Null(result.Value);
        Assert.Equal([2, 3, 4, 6], result.Errors.Select(error => error.Line));
    }

    [Fact]
    public void Parse_VeryLongUnknownKeyword_IsShortenedInTheMessage()
    {
        var errors = ParseErrors(new string('x', 500));

        Assert.True(errors[0].Length < 100, errors[0]);
        Assert.EndsWith("...\"", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Rules_RecordTheirLineNumbers()
    {
        var acl = ParseValid("# c\ntopic a\n\nuser u\ntopic b\npattern c\n");

        Assert.Equal([2, 5, 6], acl.Rules.Select(rule => rule.Line));
    }

    [Theory]
    [InlineData("topic read a/b")]
    [InlineData("topic write a/b")]
    [InlineData("topic a/b")]
    [InlineData("pattern read devices/%c/#")]
    [InlineData("pattern %m/%u")]
    public void RuleToString_ParsedLine_GivesTheLineBack(string line)
    {
        var acl = ParseValid(line);

        Assert.Equal(line, Assert.Single(acl.Rules).ToString());
    }

    [Fact]
    public void Empty_AllowsNothing()
    {
        Assert.Empty(AclFile.Empty.Rules);
        Assert.False(AclFile.Empty.IsAllowed(AclAccess.Read, "alice", "c", "", "#"));
        Assert.False(AclFile.Empty.IsAllowed(AclAccess.Write, null, "c", "", "a"));
    }
}
