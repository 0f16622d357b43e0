using System.Globalization;
using Dashboard.Core.Query;
using Dashboard.Core.Store;
using Microsoft.Net.Http.Headers;

namespace Dashboard.Api;

/// <summary>
/// The grid's Export links: <c>GET /export/sessions?q=&lt;query text&gt;&amp;format=csv|json</c> runs the
/// query box's text on this node's store and answers with the API's bytes as a file download.
/// </summary>
/// <remarks>
/// Not under <c>/sessions/</c>, where a client id may name a session page: a client called "export"
/// would lose its page. A plain GET so the browser downloads it itself; it only reads.
/// </remarks>
internal static class SessionExport
{
    public const string Path = "/export/sessions";

    private const string PlainText = "text/plain; charset=utf-8";

    /// <summary>The export endpoint; one builder, so sign-in can be required of it in one place.</summary>
    public static RouteHandlerBuilder MapSessionExport(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, Export).WithName("export-sessions").ExcludeFromDescription();

    /// <summary>The app-relative link that downloads <paramref name="queryText"/>'s rows in <paramref name="format"/>.</summary>
    public static string Link(string? queryText, string format) =>
        string.IsNullOrWhiteSpace(queryText)
            ? $"{Path.TrimStart('/')}?format={format}"
            : $"{Path.TrimStart('/')}?q={Uri.EscapeDataString(queryText.Trim())}&format={format}";

    private static IResult Export(HttpContext context, SessionStore store, TimeProvider time)
    {
        // Read by hand, not bound: a repeated parameter must get a message, not the binder's 400 page.
        var request = context.Request.Query;
        if (request["q"].Count > 1 || request["format"].Count > 1)
        {
            return BadRequest("Give q and format at most once each");
        }
        var format = request["format"].ToString() is { Length: > 0 } given ? given : "csv";
        if (format is not ("csv" or "json"))
        {
            return BadRequest($"Invalid format \"{format}\": csv or json");
        }
        var query = QueryParser.ParseText(request["q"].ToString());
        if (!query.IsSuccess)
        {
            return BadRequest(query.Error!);
        }
        var result = QueryEngine.Run(query.Value, store);
        if (!result.IsSuccess)
        {
            return BadRequest(result.Error!);
        }
        var fileName = string.Create(CultureInfo.InvariantCulture, $"sessions-{time.GetUtcNow():yyyyMMdd-HHmmss}.{format}");
        context.Response.Headers[HeaderNames.ContentDisposition] =
            new ContentDispositionHeaderValue("attachment") { FileName = fileName }.ToString();
        return ShowOutput.Render(result.Value, format);
    }

    // Plain text: the link is opened by a browser, which shows the message as it is.
    private static IResult BadRequest(string message) =>
        Results.Text($"Cannot export sessions: {message}\n", PlainText, statusCode: StatusCodes.Status400BadRequest);
}
