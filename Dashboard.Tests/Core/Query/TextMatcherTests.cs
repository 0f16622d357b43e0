using Dashboard.Core.Query;

namespace Dashboard.Tests.Core.Query;

/// <summary>The regex filter as scans use it: the same answers as the regex, cached per string object.</summary>
public class TextMatcherTests
{
    [Fact]
    public void IsMatchShared_SameAnswersAsTheRegex_ForRepeatedAndFreshStrings()
    {
        var matcher = SafeRegex.CompileMatcher(@"^fleet/\d*7/").Value;
        // One string object per distinct topic, met many times, as the store shares them.
        var shared = Enumerable.Range(0, 100).Select(i => $"fleet/{i}/broadcast").ToArray();

        for (var round = 0; round < 3; round++)
        {
            foreach (var topic in shared)
            {
                Assert.Equal(matcher.Regex.IsMatch(topic), matcher.IsMatchShared(topic));
                // An equal string that is another object gets the same answer.
                var copy = new string(topic.AsSpan());
                Assert.Equal(matcher.Regex.IsMatch(copy), matcher.IsMatchShared(copy));
            }
        }
        Assert.Equal(10, shared.Count(matcher.IsMatchShared));
        Assert.True(matcher.IsMatchShared("fleet/17/x"));
        Assert.False(matcher.IsMatchShared("fleet/18/x"));
    }

    [Fact]
    public void IsMatchShared_FromManyThreadsAtOnce_NeverAnswersWrongly()
    {
        var matcher = SafeRegex.CompileMatcher(@"^t/\d*3$").Value;
        // More strings than cache slots, so threads overwrite each other's entries all the time.
        var topics = Enumerable.Range(0, 5000).Select(i => $"t/{i}").ToArray();
        var wrong = 0;

        Parallel.For(0, 8, worker =>
        {
            for (var round = 0; round < 20; round++)
            {
                for (var i = worker; i < topics.Length; i += 3)
                {
                    if (matcher.IsMatchShared(topics[i]) != (i % 10 == 3))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            }
        });

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void CompileMatcher_SamePattern_SameMatcher() =>
        Assert.Same(SafeRegex.CompileMatcher("^same/").Value, SafeRegex.CompileMatcher("^same/").Value);
}
