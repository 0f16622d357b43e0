using Dashboard.Core.Sessions;
using Dashboard.Core.VerneMq;

namespace Dashboard.Tests.Core.VerneMq;

/// <summary>
/// The filters of the reads after hooks (docs/vernemq.md#webhooks). That VerneMQ finds the clients with
/// them is tested against the real cluster (e2e VerneMqMirrorTests); here, the exact text sent.
/// </summary>
public class VerneMqReadFiltersTests
{
    [Theory]
    [InlineData("plain-id_1", "--client_id=plain-id_1")]
    [InlineData("a b/c#+", "--client_id=a b/c#+")]
    [InlineData("a.(1)|", "--client_id=a.(1)|")]
    [InlineData("", "--client_id=")]
    public void ClientFilter_OnePrintableAsciiId_IsAnEquality(string id, string expected) =>
        Assert.Equal(expected, VerneMqSessions.ClientFilter([id]));

    [Theory]
    // A run of non-ASCII characters becomes "one or more non-ASCII bytes"; control characters \xHH.
    [InlineData("eé6", @"--client_id=~^(?:e[^\x00-\x7f]+6)$")]
    [InlineData("日本x", @"--client_id=~^(?:[^\x00-\x7f]+x)$")]
    [InlineData("t\tab\u007f", @"--client_id=~^(?:t\x09ab\x7f)$")]
    public void ClientFilter_AnIdVerneMqCannotMatchByEquality_IsAnAnchoredRegex(string id, string expected) =>
        Assert.Equal(expected, VerneMqSessions.ClientFilter([id]));

    [Fact]
    public void ClientFilter_SeveralIds_OneAlternation_EveryCharacterOtherThanALetterOrDigitEscaped() =>
        Assert.Equal(@"--client_id=~^(?:a|b\-1|c\[2\]|a\.\(1\)\||d\\\ 5\^\$)$", VerneMqSessions.ClientFilter(["a", "b-1", "c[2]", "a.(1)|", @"d\ 5^$"]));

    [Fact]
    public void ReadBatches_GroupedByMountpointAndCutAtTheGivenSize()
    {
        QueueKey[] keys = [new("", "a"), new("m1", "x"), new("", "b"), new("", "c"), new("", "a")];

        var batches = VerneMqSessions.ReadBatches(keys, perRead: 2).ToList();

        Assert.Equal(3, batches.Count);
        Assert.Equal([new QueueKey("", "a"), new QueueKey("", "b")], batches[0].Keys);
        Assert.Equal([@"--client_id=~^(?:a|b)$", "--mountpoint="], batches[0].Filters);
        Assert.Equal([new QueueKey("", "c")], batches[1].Keys);
        Assert.Equal(["--client_id=c", "--mountpoint="], batches[1].Filters);
        Assert.Equal([new QueueKey("m1", "x")], batches[2].Keys);
        Assert.Equal(["--client_id=x", "--mountpoint=m1"], batches[2].Filters);
    }
}
