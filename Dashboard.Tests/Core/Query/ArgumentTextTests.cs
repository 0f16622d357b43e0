using Dashboard.Core.Query;

namespace Dashboard.Tests.Core.Query;

public class ArgumentTextTests
{
    [Theory]
    [InlineData("a b   c", new[] { "a", "b", "c" })]
    [InlineData("--topic='a b'", new[] { "--topic=a b" })]
    [InlineData("--topic=\"say \\\"hi\\\"\"", new[] { "--topic=say \"hi\"" })]
    [InlineData("--payload=~\\d+", new[] { "--payload=~\\d+" })]
    [InlineData("''", new[] { "" })]
    public void Split_ShellLikeWords(string text, string[] words) => Assert.Equal(words, ArgumentText.Split(text).Value);

    [Theory]
    [InlineData("plain")]
    [InlineData("with space")]
    [InlineData("it's")]
    [InlineData("both ' and \" \\ here")]
    [InlineData("")]
    public void Quote_SplitsBackToTheSameWord(string word) => Assert.Equal([word], ArgumentText.Split(ArgumentText.Quote(word)).Value);
}
