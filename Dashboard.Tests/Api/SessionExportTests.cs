using System.Text.RegularExpressions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Dashboard.Tests.Hosting;

namespace Dashboard.Tests.Api;

/// <summary>The grid's export over real HTTP: the API's bytes for the same query, as a download; bad input is a 400 with a message.</summary>
public sealed partial class SessionExportTests : IAsyncLifetime
{
    private ApiTestHost _api = null!;
    private BrowserClient _browser = null!;

    public async ValueTask InitializeAsync()
    {
        _api = ApiTestHost.Start();
        // The export is for signed-in users (any role), as the grid's links are.
        _browser = await _api.Host.SignInAsync();
        var store = _api.Host.Store;
        // Text that CSV must quote or defuse, and JSON must escape.
        store.Apply(new ClientConnected(new QueueKey("", "export-1"), true, "=cmd|' /C calc'!A0", "127.0.0.1", 1001, 5));
        store.Apply(new ClientConnected(new QueueKey("", "export-2,\"quoted\""), false, null, "127.0.0.1", 1002, 4));
        store.Apply(new SubscriptionAdded(new QueueKey("", "export-1"), new Subscription("plant/+/temp", 1)));
        store.Apply(new SubscriptionAdded(new QueueKey("", "export-1"), new Subscription("plant/#", 0)));
        store.Apply(new ClientConnected(new QueueKey("", "other"), true, null, "127.0.0.1", 1003, 4));
    }

    public ValueTask DisposeAsync()
    {
        _browser.Dispose();
        return _api.DisposeAsync();
    }

    [Theory]
    [InlineData("csv", "text/csv; charset=utf-8")]
    [InlineData("json", "application/json")]
    public async Task Export_Query_ReturnsTheApisBytesAsAnAttachment(string format, string contentType)
    {
        var api = await GetAsync($"/api/v1/session/show?--client_id&--user&--topic&--client_id=~%5Eexport&--format={format}", key: ApiTestHost.MgmtKey);
        var export = await GetAsync($"/export/sessions?q={Uri.EscapeDataString("--client_id --user --topic --client_id=~^export")}&format={format}");

        Assert.Equal(200, (int)export.StatusCode);
        Assert.Equal(await api.Content.ReadAsByteArrayAsync(Cancel), await export.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal(contentType, export.Content.Headers.ContentType?.ToString());
        Assert.Equal(api.Content.Headers.ContentType, export.Content.Headers.ContentType);
        Assert.Equal("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Matches(FileName(format), export.Content.Headers.ContentDisposition?.FileName ?? "");
        // Not vacuous: the filter matched the two export clients' rows (one per subscription, none for export-2).
        Assert.Contains("plant/#", await export.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_NoQueryNoFormat_IsTheDefaultQueryAsCsv()
    {
        var api = await GetAsync("/api/v1/session/show?--format=csv", key: ApiTestHost.MgmtKey);
        var export = await GetAsync("/export/sessions");

        Assert.Equal(200, (int)export.StatusCode);
        Assert.Equal(await api.Content.ReadAsStringAsync(Cancel), await export.Content.ReadAsStringAsync(Cancel));
        Assert.StartsWith("client_id,is_online,mountpoint,peer_host,peer_port,user\r\n", await export.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("q=--foo", "Invalid key: \"foo\"")]
    [InlineData("q=--limit%3Dabc", "Invalid value for --limit: \"abc\" is not a whole number (0 or more)")]
    [InlineData("q=--client_id%3D~(", "Invalid regular expression \"(\": Not enough )'s (at character 1)")]
    [InlineData("format=xml", "Invalid format \"xml\": csv or json")]
    [InlineData("format=human", "Invalid format \"human\": csv or json")]
    [InlineData("q=--client_id&q=--user", "Give q and format at most once each")]
    public async Task Export_BadInput_Returns400WithMessage(string queryString, string message)
    {
        var response = await GetAsync("/export/sessions?" + queryString);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"Cannot export sessions: {message}\n", await response.Content.ReadAsStringAsync(Cancel));
        Assert.Null(response.Content.Headers.ContentDisposition);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> GetAsync(string pathAndQuery, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (key is not null)
        {
            request.Headers.Add("x-api-key", key);
            return await _api.Http.SendAsync(request, Cancel);
        }
        return await _browser.SendAsync(request);
    }

    private static Regex FileName(string format) => format == "csv" ? CsvName() : JsonName();

    [GeneratedRegex(@"^sessions-\d{8}-\d{6}\.csv$")]
    private static partial Regex CsvName();

    [GeneratedRegex(@"^sessions-\d{8}-\d{6}\.json$")]
    private static partial Regex JsonName();
}
