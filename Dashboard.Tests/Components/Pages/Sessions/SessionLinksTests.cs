using Bunit;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core.Sessions;

namespace Dashboard.Tests.Components.Pages.Sessions;

public class SessionLinksTests : DashboardTestContext
{
    [Theory]
    [InlineData("client1", "sessions/client1")]
    [InlineData("a/b", "sessions/a%2Fb")]
    [InlineData("a%2Fb", "sessions/a%252Fb")]
    [InlineData("my client?#", "sessions/my%20client%3F%23")]
    [InlineData("温度", "sessions/%E6%B8%A9%E5%BA%A6")]
    [InlineData("..x", "sessions/..x")]
    [InlineData("-", "sessions/-")]
    [InlineData(".", "sessions/-?client_id=.")]
    [InlineData("..", "sessions/-?client_id=..")]
    [InlineData("", "sessions/-?client_id=")]
    public void Detail_AnyClientId_OneSegmentOrQueryThatReadsBack(string clientId, string expected)
    {
        var link = SessionLinks.Detail(new QueueKey("", clientId));

        Assert.Equal(expected, link);
        var query = link.Contains("?client_id=", StringComparison.Ordinal) ? Uri.UnescapeDataString(link[(link.IndexOf('=') + 1)..]) : null;
        Assert.Equal(clientId, SessionLinks.ClientId(link, query));
    }

    [Fact]
    public void Detail_Mountpoint_InTheQuery()
    {
        Assert.Equal("sessions/c1?mountpoint=a%2Fb%26c", SessionLinks.Detail(new QueueKey("a/b&c", "c1")));
        Assert.Equal("sessions/-?client_id=..&mountpoint=m", SessionLinks.Detail(new QueueKey("m", "..")));
    }

    [Fact]
    public void ClientId_TypedAddress_ReadsTheRestOfThePath()
    {
        Assert.Equal("a/b", SessionLinks.ClientId("sessions/a/b?mountpoint=x#top", null));
        Assert.Null(SessionLinks.ClientId("wall", null));
    }

    [Fact]
    public void SessionsGrid_ClientIdCell_LinksToTheDetailPage()
    {
        Connect("a/b <c>", 1);

        var cut = Render<SessionsPage>();

        var link = cut.FindAll("a.client-link").Single();
        Assert.Equal("a/b <c>", link.TextContent);
        Assert.Equal("sessions/a%2Fb%20%3Cc%3E", link.GetAttribute("href"));
    }
}
