using System.Text.RegularExpressions;
using CsCheck;
using Dashboard.Core.Query;

namespace Dashboard.Tests.Core.Query;

/// <summary>
/// The literal prefilter in front of a regex filter (<see cref="RequiredLiterals"/>): which literals it
/// reads from a pattern, and that it never refuses a value the regex matches.
/// </summary>
public class RequiredLiteralsTests
{
    [Theory]
    // The benchmark's pattern: the devices whose number ends in 42.
    [InlineData(@"^devices/\d*42/", "devices/", "42/")]
    [InlineData("^fleet/", "fleet/", "")]
    [InlineData("broadcast$", "", "broadcast")]
    [InlineData(@"^a/b\.c", "a/b.c", "")]
    // A quantified character ends the run; one that may be absent is left out.
    [InlineData("^ab+c", "ab", "c")]
    [InlineData("^ab?c", "a", "c")]
    [InlineData("^ab*cd", "a", "cd")]
    [InlineData("^ab{2,}c", "ab", "c")]
    [InlineData("^ab{0,3}c", "a", "c")]
    [InlineData("x{1}yz", "", "yz|x")]
    [InlineData("^a*", "", "")]
    // Classes and zero-width assertions end runs.
    [InlineData("^a[0-9]b", "a", "b")]
    [InlineData(@"^a[^\]x]b", "a", "b")]
    // Longer escapes in a class take no ]: \x5d is ], and the class ends at the first ].
    [InlineData(@"^a[\x5d]x]", "a", "x]")]
    [InlineData(@"^a[\u005d\p{L}\101]b", "a", "b")]
    [InlineData(@"t\d+/temp$", "", "/temp|t")]
    [InlineData(@"^\p{L}+/x", "", "/x")]
    [InlineData(@"ab\bcd", "", "ab|cd")]
    [InlineData("a.b", "", "a|b")]
    [InlineData("^.", "", "")]
    [InlineData(@"^home/\+/temp", "home/+/temp", "")]
    public void Of_ReadsPrefixAndInnerLiterals(string pattern, string prefix, string inner)
    {
        var literals = RequiredLiterals.Of(pattern);

        Assert.Equal(prefix, literals.Prefix);
        Assert.Equal(inner, string.Join('|', literals.Inner));
    }

    [Theory]
    // Alternation and groups can make any literal optional; escapes not read here are left to the regex.
    [InlineData("^a|b")]
    [InlineData("^(ab)c")]
    [InlineData("^(?i)abc")]
    [InlineData(@"^\x41bc")]
    [InlineData(@"^\tab")]
    [InlineData(@"^a\1")]
    [InlineData("^[]a]b")]
    [InlineData("^[a-z-[aeiou]]x")]
    // In a class, \c takes the next character too (\c] is the control character 0x1D), so the class
    // runs to the last ]: this pattern is one class and holds no literal (CsCheck found it).
    [InlineData(@"[b\c]d\/]")]
    [InlineData(@"^[\c]]x")]
    [InlineData("^a{,3}b")]
    [InlineData("")]
    public void Of_ShapesNotReadHere_GiveNone(string pattern)
    {
        var literals = RequiredLiterals.Of(pattern);

        Assert.False(literals.Filters);
        Assert.True(literals.Allows("anything"));
    }

    [Theory]
    [InlineData("devices/1042/cmd", true)]
    [InlineData("devices/42/config", true)]
    [InlineData("devices/1043/cmd", false)]
    [InlineData("fleet/42/broadcast", false)]
    [InlineData("xdevices/42/cmd", false)]
    public void Allows_ChecksPrefixThenInnerText(string topic, bool allowed) =>
        Assert.Equal(allowed, RequiredLiterals.Of(@"^devices/\d*42/").Allows(topic));

    [Fact]
    public void Allows_ClassWithAControlEscape_PassesWhatTheRegexMatches()
    {
        // The seed CsCheck found: .NET reads [b\c]d\/] as one class of b, 0x1D, d and /.
        Assert.Matches(@"[b\c]d\/]", "a.2../");

        Assert.True(RequiredLiterals.Of(@"[b\c]d\/]").Allows("a.2../"));
    }

    private static Gen<string> Text(string alphabet, int maxLength) => Gen.Char[alphabet].Array[0, maxLength].Select(chars => new string(chars));

    private static readonly Gen<char> PatternChar = Gen.OneOf(
        Gen.Char['a', 'c'], Gen.Const('/'), Gen.Const('.'), Gen.Const('*'), Gen.Const('+'), Gen.Const('?'), Gen.Const('^'), Gen.Const('$'),
        Gen.Const('['), Gen.Const(']'), Gen.Const('{'), Gen.Const('}'), Gen.Const(','), Gen.Const('1'), Gen.Const('2'), Gen.Const('\\'),
        Gen.Const('d'), Gen.Const('b'), Gen.Const('('), Gen.Const(')'), Gen.Const('|'), Gen.Const('-'));

    private static readonly Gen<string> Pattern = Gen.Frequency(
        (3, PatternChar.Array[0, 10].Select(chars => new string(chars))),
        // Shapes the reader handles, so that most cases test a prefilter that refuses something.
        (2, Gen.Select(Gen.OneOf("", "^"), Text("abc/", 4), Gen.OneOf("", "*", "+", "?", "{2}", "{0,1}", "[ab]", @"\d*", ".", "$"), Text("abc/1", 4),
            (anchor, first, middle, last) => anchor + first + middle + last)));

    private static readonly Gen<string> Value = Text("abc/12.\n", 12);

    [Fact]
    public void Allows_IsTrueWheneverTheRegexMatches() =>
        Gen.Select(Pattern, Value.Array[1, 20]).Sample((pattern, values) =>
        {
            Regex regex;
            try
            {
                regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                return;
            }
            var literals = RequiredLiterals.Of(pattern);
            // The pattern's own plain characters make a value that often matches.
            var plain = new string([.. pattern.Where(c => !@"\^$*+?{}[]().|".Contains(c))]);
            foreach (var value in values.Append(pattern).Append(plain))
            {
                if (regex.IsMatch(value))
                {
                    Assert.True(literals.Allows(value), $"/{pattern}/ matches \"{value}\" but its literals (prefix \"{literals.Prefix}\", inner {string.Join(", ", literals.Inner)}) refuse it");
                }
            }
        }, iter: 20_000);
}
