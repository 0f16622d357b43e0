using Bunit;
using Dashboard.Components.Layout;

namespace Dashboard.Tests.Components.Layout;

public class SessionCountersTests : DashboardTestContext
{
    [Fact]
    public void Render_OnlineAndOfflineSessions_ShowsBothCounts()
    {
        Connect("online-1", 1);
        Connect("online-2", 2);
        Connect("persistent", 3, clean: false);
        Disconnect("persistent");

        var cut = Render<SessionCounters>();

        Assert.Equal(["2 online", "1 offline"], CounterTexts(cut));
    }

    [Fact]
    public void StoreChange_AfterRender_UpdatesCounts()
    {
        var cut = Render<SessionCounters>();
        Assert.Equal(["0 online", "0 offline"], CounterTexts(cut));

        Connect("client1", 1, clean: false);
        Connect("client2", 2, clean: false);
        Disconnect("client2");
        PassRefreshInterval();

        cut.WaitForAssertion(() => Assert.Equal(["1 online", "1 offline"], CounterTexts(cut)));
    }

    private static string[] CounterTexts(IRenderedComponent<SessionCounters> cut) =>
        [.. cut.FindAll(".counter").Select(c => string.Join(' ', c.TextContent.Split(default(char[]), StringSplitOptions.RemoveEmptyEntries)))];
}
