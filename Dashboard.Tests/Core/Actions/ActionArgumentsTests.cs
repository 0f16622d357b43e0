using Dashboard.Core.Actions;

namespace Dashboard.Tests.Core.Actions;

public sealed class ActionArgumentsTests
{
    [Fact]
    public void ParseDisconnect_SeedExample_ReadsClientAndCleanup()
    {
        var parsed = ActionArguments.ParseDisconnect(["client-id=client1", "--cleanup"]);

        Assert.Equal(new DisconnectRequest { ClientId = "client1", Cleanup = true }, parsed.Value);
    }

    [Fact]
    public void ParseDisconnect_Mountpoint_IsRead()
    {
        var parsed = ActionArguments.ParseDisconnect(["--mountpoint=m1", "client-id=a=b"]);

        Assert.Equal(new DisconnectRequest { ClientId = "a=b", Mountpoint = "m1" }, parsed.Value);
    }

    [Theory]
    [InlineData("--mountpoint", "Invalid mountpoint value")]
    [InlineData("--mountpoint=", "Invalid mountpoint value")]
    [InlineData("client-id=", "Missing client-id: session disconnect client-id=X [--mountpoint=M] [--cleanup]")]
    [InlineData("client1", "Invalid argument \"client1\": arguments are key=value or --flag")]
    [InlineData("--clean", "Invalid flag: \"clean\"")]
    [InlineData("user=x", "Invalid key: \"user\"")]
    public void ParseDisconnect_BadWord_FailsWithMessage(string word, string message)
    {
        var parsed = ActionArguments.ParseDisconnect(["client-id=c", word]);

        Assert.Equal(message, parsed.Error);
    }

    [Fact]
    public void ParseReauthorize_SeedExample_ReadsUserAndClient()
    {
        var parsed = ActionArguments.ParseReauthorize(["username=username", "client-id=client1"]);

        Assert.Equal(new ReauthorizeRequest { User = "username", ClientId = "client1" }, parsed.Value);
    }

    [Theory]
    [InlineData("username=u")]
    [InlineData("client-id=c")]
    [InlineData("username= client-id=c")]
    public void ParseReauthorize_MissingKey_FailsWithUsage(string words)
    {
        var parsed = ActionArguments.ParseReauthorize(words.Split(' '));

        Assert.Equal("Both username and client-id are required: session reauthorize username=U client-id=X [--mountpoint=M]", parsed.Error);
    }

    [Fact]
    public void ParseReauthorize_Cleanup_IsNotOneOfItsFlags()
    {
        var parsed = ActionArguments.ParseReauthorize(["username=u", "client-id=c", "--cleanup"]);

        Assert.Equal("Invalid flag: \"cleanup\"", parsed.Error);
    }
}
