using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Dashboard.VerneMq;

/// <summary>A refusal or failure of a VerneMQ node's HTTP API, in words an operator can act on.</summary>
public sealed class VerneMqException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Calls the management API (v1) of VerneMQ nodes with the configured key. Every call names the node's
/// address in its errors and never the key.
/// </summary>
public sealed class VerneMqClient(HttpClient http, VerneMqSettings settings)
{
    /// <summary>A JSON answer of <c>/api/v1/{command}?{query}</c>.</summary>
    public async Task<JsonElement> ApiAsync(Uri node, string command, string query, CancellationToken cancellationToken)
    {
        var url = new Uri(node, $"/api/v1/{command}" + (query.Length > 0 ? "?" + query : ""));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(settings.ApiKey + ":")));
        return await SendAsync(node, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The node's <c>/status.json</c> (no key needed): its own name comes first.</summary>
    public async Task<JsonElement> StatusAsync(Uri node, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, "/status.json"));
        return await SendAsync(node, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The text of an action's answer (<c>{"text":"Done"}</c>), or the alert VerneMQ sent.</summary>
    public static string Text(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString() ?? ""
            : answer.ValueKind == JsonValueKind.Array ? string.Join("; ", answer.EnumerateArray().Select(AlertText)) : answer.GetRawText();

    private static string AlertText(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("text", out var text) ? text.ToString() : item.ToString();

    private async Task<JsonElement> SendAsync(Uri node, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new VerneMqException($"VerneMQ node {node} is unreachable: {exception.Message}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VerneMqException($"VerneMQ node {node} did not answer within {http.Timeout.TotalSeconds:0} s", exception);
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new VerneMqException($"VerneMQ node {node} refused the API key (VerneMQ:ApiKey): HTTP {(int)response.StatusCode}");
            }
            JsonElement answer;
            try
            {
                answer = JsonDocument.Parse(body).RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new VerneMqException($"VerneMQ node {node} answered HTTP {(int)response.StatusCode} with something that is not JSON");
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new VerneMqException($"VerneMQ node {node} answered HTTP {(int)response.StatusCode}: {Text(answer)}");
            }
            return answer;
        }
    }
}
