using Bunit;
using Dashboard.Components.Pages.Wall;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components.Pages.Wall;

public class WallPageTests : DashboardTestContext
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    public WallPageTests() => Services.AddOptions();

    private static string Number(IRenderedComponent<WallPage> cut, string label) =>
        cut.Find($"[role=group][aria-label='{label}'] .value").TextContent;

    [Fact]
    public void Render_Sessions_ShowsTotalsFromTheFeed()
    {
        Connect("online-1", 1);
        Connect("persistent", 2, clean: false);
        Subscribe("persistent", "plant/#");
        Disconnect("persistent");

        var cut = Render<WallPage>();
        Time.Advance(Window);

        cut.WaitForAssertion(() => Assert.Equal("1", Number(cut, "Sessions online")));
        Assert.Equal("1", Number(cut, "Persistent sessions offline"));
        Assert.Equal("1", Number(cut, "Subscriptions"));
        Assert.Equal("MQTT Sessions", cut.Find("h1").TextContent);
    }

    [Fact]
    public void StoreChanges_ScopedWall_CountsAndTicksOnlyTheScope()
    {
        NavigateTo("/wall?q=--client_id%3D~%5Esensor-&title=Plant%203");
        var cut = Render<WallPage>();
        Time.Advance(Window);

        Connect("sensor-1", 1);
        Connect("printer-1", 2);
        Time.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Equal("1", Number(cut, "Sessions online")));
        Assert.Equal("Plant 3", cut.Find("h1").TextContent);
        Assert.Equal("1", Number(cut, "Connects per minute"));
        var item = Assert.Single(cut.FindAll("ol[aria-label='Latest events'] li"));
        Assert.Contains("sensor-1", item.TextContent);
    }

    [Fact]
    public void Ticker_ClientIdWithMarkup_IsRenderedAsText()
    {
        var cut = Render<WallPage>();
        Time.Advance(Window);

        Connect("<img src=x onerror=alert(1)>", 1);
        Time.Advance(Window);

        cut.WaitForAssertion(() => Assert.Equal("<img src=x onerror=alert(1)>", cut.Find("li .client").TextContent));
        Assert.Empty(cut.FindAll("img"));
    }

    [Fact]
    public void Render_BadScope_SaysWhatIsWrong()
    {
        NavigateTo("/wall?q=--nope");

        var cut = Render<WallPage>();

        Assert.Contains("Invalid key: \"nope\"", cut.Find("[role=alert]").TextContent);
    }
}
