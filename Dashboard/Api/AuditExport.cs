using System.Globalization;
using Dashboard.Security;
using Microsoft.Net.Http.Headers;

namespace Dashboard.Api;

/// <summary>
/// The audit page's Export CSV link: <c>GET /export/audit?actor=&amp;action=&amp;target=&amp;from=&amp;to=</c>
/// answers with the matching entries (newest first, up to <see cref="AuditQuery.MaxLimit"/>) as a CSV download.
/// </summary>
/// <remarks>A plain GET so the browser downloads it itself; it only reads. Admins only, like the page.</remarks>
internal static class AuditExport
{
    public const string Path = "/export/audit";

    /// <summary>Set when the limit cut the rows, since a CSV body has no place to say so.</summary>
    public const string LimitReachedHeader = "X-Limit-Reached";

    private const string PlainText = "text/plain; charset=utf-8";

    /// <summary>The export endpoint, open to <see cref="Policies.Admin"/> only.</summary>
    public static RouteHandlerBuilder MapAuditExport(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, Export).WithName("export-audit").ExcludeFromDescription().RequireAuthorization(Policies.Admin);

    /// <summary>The app-relative link that downloads the entries <paramref name="filter"/> selects.</summary>
    public static string Link(AuditFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = filter.ToQueryString();
        return query.Length == 0 ? Path.TrimStart('/') : $"{Path.TrimStart('/')}?{query}";
    }

    internal static IResult Export(HttpContext context, AuditLog audit, TimeProvider time)
    {
        // Read by hand, not bound: a repeated parameter must get a message, not the binder's 400 page.
        var request = context.Request.Query;
        if (AuditFilter.ParameterNames.FirstOrDefault(name => request[name].Count > 1) is { } repeated)
        {
            return BadRequest($"Give {repeated} at most once");
        }
        var filter = new AuditFilter
        {
            Actor = request["actor"].ToString(),
            Action = request["action"].ToString(),
            Target = request["target"].ToString(),
            From = request["from"].ToString(),
            To = request["to"].ToString(),
        };
        var query = filter.ToQuery(AuditQuery.MaxLimit);
        if (!query.IsSuccess)
        {
            return BadRequest(query.Error!);
        }
        var result = audit.Query(query.Value);
        if (!result.IsSuccess)
        {
            return BadRequest(result.Error!);
        }
        var fileName = string.Create(CultureInfo.InvariantCulture, $"audit-{time.GetUtcNow():yyyyMMdd-HHmmss}.csv");
        context.Response.Headers[HeaderNames.ContentDisposition] =
            new ContentDispositionHeaderValue("attachment") { FileName = fileName }.ToString();
        if (result.Value.LimitReached)
        {
            context.Response.Headers[LimitReachedHeader] = AuditQuery.MaxLimit.ToString(CultureInfo.InvariantCulture);
        }
        return Results.Text(AuditLog.ToCsv(result.Value.Entries), "text/csv; charset=utf-8");
    }

    // Plain text: the link is opened by a browser, which shows the message as it is.
    private static IResult BadRequest(string message) =>
        Results.Text($"Cannot export the audit log: {message}\n", PlainText, statusCode: StatusCodes.Status400BadRequest);
}
