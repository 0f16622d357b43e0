using Bunit;
using Dashboard.Components.Pages.Admin;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core.Sessions;
using Dashboard.Security;

namespace Dashboard.Tests.Components.Pages.Admin;

/// <summary>
/// With a VerneMQ source no <see cref="ClientBlocking"/> is registered (as in this context): the page
/// says why blocking is unavailable and offers no form, and the session actions are shown disabled with the reason.
/// </summary>
public class BlocksUnavailableTests : SecurityTestContext
{
    // Written out, not read from the code: what an operator must be told.
    private const string Reason = "Blocking clients is not available with a VerneMQ source: VerneMQ has no API to block a client, " +
        "and enforcing blocks through an authentication hook that asks the dashboard would refuse every client whenever the dashboard is down.";

    [Fact]
    public void Page_WithoutTheEmbeddedBroker_SaysWhyAndOffersNoForm()
    {
        RenderProviders();
        var cut = Render<BlocksPage>();

        Assert.Equal(Reason, cut.Find(".blocks-unavailable").TextContent.Trim());
        Assert.Empty(cut.FindAll("form"));
    }

    [Theory]
    [InlineData(true, "Disconnect and block for 1 hour (unavailable)")]
    [InlineData(false, "Block (unavailable)")]
    public void Button_WithoutTheEmbeddedBroker_IsDisabledWithTheReason(bool quick, string label)
    {
        RenderProviders();
        var cut = Render<BlockSessionButton>(parameters => parameters
            .Add(b => b.Key, new QueueKey("", "dev-1"))
            .Add(b => b.Quick, quick));

        Assert.Equal(Reason, cut.Find(".block-unavailable").GetAttribute("title"));
        var button = cut.Find("button");
        Assert.Equal(label, button.GetAttribute("aria-label"));
        Assert.True(button.HasAttribute("disabled"));
    }
}
