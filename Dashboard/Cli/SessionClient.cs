using System.Text.Json;

namespace Dashboard.Cli;

/// <summary>
/// <c>Dashboard session show|disconnect|reauthorize ...</c>: a client of a running dashboard's HTTP API
/// that prints what <c>vmq-admin</c> prints. The server does all parsing and rendering (it asks for
/// <c>--format=human</c> unless told otherwise), so the command line and the API never disagree.
/// </summary>
internal static class SessionClient
{
    public const string DefaultUrl = "http://127.0.0.1:8888";

    private const string Usage =
        "usage: Dashboard session show [--F]... [--F=V]... [--F=~R]... [--limit=N] [--format=human|json|csv] | " +
        "session disconnect client-id=X [--mountpoint=M] [--cleanup] | session reauthorize username=U client-id=X [--mountpoint=M]";

    public static async Task<int> RunAsync(string[] args, string? url, string? apiKey, TextWriter output, TextWriter error,
        HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        if (args is not [("show" or "disconnect" or "reauthorize") and var command, .. var rest])
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        var baseText = string.IsNullOrWhiteSpace(url) ? DefaultUrl : url.Trim();
        if (!Uri.TryCreate(baseText.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"DASHBOARD_URL is not an http(s) URL: \"{baseText}\"");
            return 1;
        }

        var words = command == "show" ? JoinFlagValues(rest) : [.. rest];
        if (!words.Any(w => w == "--format" || w.StartsWith("--format=", StringComparison.Ordinal)))
        {
            words.Add("--format=human");
        }
        var query = string.Join('&', words.Select(Uri.EscapeDataString));
        using var request = new HttpRequestMessage(command == "show" ? HttpMethod.Get : HttpMethod.Post, new Uri(baseUri, $"api/v1/session/{command}?{query}"));
        if (!string.IsNullOrEmpty(apiKey))
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(30);
        HttpResponseMessage response;
        string body;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            await error.WriteLineAsync(OneLine($"Cannot reach the dashboard at {baseText}: {exception.Message}"));
            return 1;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"The dashboard at {baseText} did not answer within {http.Timeout.TotalSeconds:0} seconds");
            return 1;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                await output.WriteAsync(body);
                if (body.Length > 0 && !body.EndsWith('\n'))
                {
                    await output.WriteLineAsync();
                }
                return 0;
            }
            var message = status == 401
                ? string.IsNullOrEmpty(apiKey)
                    ? $"The dashboard at {baseText} needs an API key (401): set DASHBOARD_API_KEY to one of its Api:Keys"
                    : $"The dashboard at {baseText} refused the API key in DASHBOARD_API_KEY (401)"
                : AlertText(body) is { } alert ? alert : $"The dashboard at {baseText} answered {status} {response.ReasonPhrase}";
            await error.WriteLineAsync(OneLine(message));
            return 1;
        }
    }

    /// <summary><c>--client_id client1</c> is <c>--client_id=client1</c>, as vmq-admin reads it.</summary>
    private static List<string> JoinFlagValues(IReadOnlyList<string> words)
    {
        var joined = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (word.StartsWith("--", StringComparison.Ordinal) && !word.Contains('=', StringComparison.Ordinal)
                && i + 1 < words.Count && !words[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                word = $"{word}={words[++i]}";
            }
            joined.Add(word);
        }
        return joined;
    }

    private static string? AlertText(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("alert", out var alert) && alert.ValueKind == JsonValueKind.Array)
            {
                var texts = alert.EnumerateArray()
                    .Where(a => a.ValueKind == JsonValueKind.Object && a.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                    .Select(a => a.GetProperty("text").GetString());
                return string.Join("; ", texts);
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    // Error output is one line: a client id or message with a line break must not forge a second one.
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
