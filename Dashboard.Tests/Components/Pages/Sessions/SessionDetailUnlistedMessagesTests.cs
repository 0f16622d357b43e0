using System.Text;
using Bunit;
using Dashboard.Components.Pages.Sessions;
using Dashboard.Core.Actions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Components.Pages.Sessions;

/// <summary>
/// The queued-messages card of a mirrored queue whose messages were counted but not listed (a large
/// VerneMQ cluster): the count, why, and the on-demand read through <see cref="IQueuedMessageReader"/>.
/// The end-to-end test against a real cluster is in e2e/VerneMqPageTests.cs; here the reader is a stand-in
/// the test controls, to see the progress and the failure.
/// </summary>
public class SessionDetailUnlistedMessagesTests : DashboardTestContext
{
    private static readonly QueueKey Key = new("", "big-1");

    private readonly ControlledReader _reader;

    public SessionDetailUnlistedMessagesTests()
        : this(new ControlledReader())
    {
    }

    private SessionDetailUnlistedMessagesTests(ControlledReader reader)
        : base(services => services.AddSingleton<IQueuedMessageReader>(reader))
    {
        _reader = reader;
        Store.Apply(new QueueMirrored(Key, Mirrored(messages: [], unlisted: 3)));
    }

    [Fact]
    public void Render_MessagesCountedNotListed_ShowsTheCountWhyAndTheButton()
    {
        var cut = RenderDetail();

        Assert.Equal("Queued messages (3)", Title(cut));
        var note = cut.Find(".unlisted").TextContent;
        Assert.Contains("VerneMQ counts 3 queued messages for this session", note, StringComparison.Ordinal);
        Assert.Contains("walk the queue of every session", note, StringComparison.Ordinal);
        Assert.DoesNotContain("No queued messages", cut.Markup, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("button"), b => b.TextContent.Trim() == "Read them from VerneMQ");
        Assert.Contains("3 queued messages", cut.Find(".title-meta").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadButton_ReaderAnswers_ProgressThenTheMessagesListedInOrder()
    {
        var cut = RenderDetail();

        ReadButton(cut).Click();

        cut.WaitForAssertion(() => Assert.Contains("Reading this session's queued messages from VerneMQ", cut.Find("[role=status].reading").TextContent, StringComparison.Ordinal));
        Assert.True(ReadButton(cut).HasAttribute("disabled"));
        Assert.Equal(Key, _reader.Asked);
        // What the source does with VerneMQ's answer: the queue with its messages, into the store.
        Store.Apply(new QueueMirrored(Key, Mirrored(
            [new QueuedMessage("r1", 1, "t/1", false, Encoding.UTF8.GetBytes("first")),
             new QueuedMessage("r2", 1, "t/2", false, Encoding.UTF8.GetBytes("second")),
             new QueuedMessage("r3", 1, "t/3", false, Encoding.UTF8.GetBytes("third"))], unlisted: 0)));
        _reader.Answer.SetResult(3);

        cut.WaitForAssertion(() => Assert.Equal(["first", "second", "third"],
            cut.FindAll(".messages-table tbody tr .payload-value").Select(e => e.TextContent)));
        Assert.Empty(cut.FindAll(".unlisted"));
        Assert.Empty(cut.FindAll("[role=alert]"));
    }

    [Fact]
    public void ReadButton_BrokerCannotBeAsked_SaysWhyAndOffersTheButtonAgain()
    {
        var cut = RenderDetail();

        ReadButton(cut).Click();
        _reader.Answer.SetException(new ActionFailedException("VerneMQ node http://127.0.0.1:1/ is unreachable: Connection refused"));

        cut.WaitForAssertion(() => Assert.Equal(
            "Could not read the queued messages: VerneMQ node http://127.0.0.1:1/ is unreachable: Connection refused",
            cut.Find("[role=alert]").TextContent.Trim()));
        Assert.False(ReadButton(cut).HasAttribute("disabled"));
        Assert.Contains("VerneMQ counts 3 queued messages", cut.Find(".unlisted").TextContent, StringComparison.Ordinal);
    }

    private static string Title(IRenderedComponent<SessionDetailPage> cut) =>
        cut.FindAll(".card-title").Select(e => e.TextContent.Trim()).Single(text => text.StartsWith("Queued messages", StringComparison.Ordinal));

    private static AngleSharp.Dom.IElement ReadButton(IRenderedComponent<SessionDetailPage> cut) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Read them from VerneMQ");

    private static MirroredQueue Mirrored(IReadOnlyList<QueuedMessage> messages, long unlisted) =>
        new("vmq1@127.0.0.1", "<0.1.0>", 1549379963575, false, null, [new Subscription("t/#", 1)], messages, unlisted);

    private IRenderedComponent<SessionDetailPage> RenderDetail()
    {
        NavigateTo(SessionLinks.Detail(Key));
        return Render<SessionDetailPage>();
    }

    /// <summary>A reader that answers when the test says so.</summary>
    private sealed class ControlledReader : IQueuedMessageReader
    {
        public TaskCompletionSource<int?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public QueueKey? Asked { get; private set; }

        public Task<int?> ReadQueuedMessagesAsync(QueueKey key, CancellationToken cancellationToken = default)
        {
            Asked = key;
            return Answer.Task;
        }
    }
}
