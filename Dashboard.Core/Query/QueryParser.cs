using System.Globalization;
using Dashboard.Core.Sessions;

namespace Dashboard.Core.Query;

/// <summary>
/// Reads <c>session show</c> flags (docs/query-language.md#flags) from <c>vmq-admin</c> words, a query box's text, or the
/// HTTP API's query string. Every mistake comes back as a message; nothing throws.
/// </summary>
public static class QueryParser
{
    private static readonly string[] CommandWords = ["vmq-admin", "session", "show"];

    /// <summary>Parses text typed in a query box or shell: <c>--client_id --topic=~some/.*</c>.</summary>
    public static Result<SessionQuery> ParseText(string? text)
    {
        var words = ArgumentText.Split(text ?? "");
        return words.IsSuccess ? ParseArguments(words.Value) : Result<SessionQuery>.Fail(words.Error!);
    }

    /// <summary>Parses the HTTP form: <c>?--client_id&amp;--topic=~%5Esensors%2F&amp;--limit=10</c>.</summary>
    public static Result<SessionQuery> ParseQueryString(string? queryString) =>
        Parse(SplitQueryString(queryString), valueMayFollow: false);

    /// <summary>Parses <c>vmq-admin</c> words; a leading <c>vmq-admin session show</c> is skipped.</summary>
    public static Result<SessionQuery> ParseArguments(IReadOnlyList<string> words) =>
        Parse(words.SkipWhile((w, i) => i < CommandWords.Length && w == CommandWords[i]).ToList(), valueMayFollow: true);

    /// <summary>Splits a query string into decoded parts; <c>+</c> is a space, as in forms.</summary>
    public static IReadOnlyList<string> SplitQueryString(string? queryString)
    {
        var text = queryString ?? "";
        if (text.StartsWith('?'))
        {
            text = text[1..];
        }
        return [.. text.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => Uri.UnescapeDataString(part.Replace('+', ' ')))];
    }

    private static Result<SessionQuery> Parse(IReadOnlyList<string> words, bool valueMayFollow)
    {
        var columns = new List<string>();
        var filters = new List<FieldFilter>();
        int limit = SessionQuery.DefaultLimit, rowTimeout = SessionQuery.DefaultRowTimeout;
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (!word.StartsWith("--", StringComparison.Ordinal))
            {
                return Fail($"Invalid argument \"{word}\": flags start with -- (for example --client_id=client1)");
            }
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? word[2..] : word[2..equals];
            string? value = equals < 0 ? null : word[(equals + 1)..];
            if (name.Length == 0)
            {
                return Fail($"Malformed flag \"{word}\": a field name must follow --");
            }
            if (value is null && valueMayFollow && i + 1 < words.Count && !words[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = words[++i];
            }
            switch (name)
            {
                case "limit":
                    if (!TryReadCount(name, value, out limit, out var limitError))
                    {
                        return Fail(limitError);
                    }
                    break;
                case "rowtimeout":
                    if (!TryReadCount(name, value, out rowTimeout, out var timeoutError))
                    {
                        return Fail(timeoutError);
                    }
                    break;
                default:
                    if (!FieldCatalog.TryGet(name, out var field))
                    {
                        return Fail($"Invalid key: \"{name}\"");
                    }
                    if (value is null)
                    {
                        if (!columns.Contains(name))
                        {
                            columns.Add(name);
                        }
                        break;
                    }
                    var filter = value.StartsWith('~')
                        ? new FieldFilter(name, FilterKind.Regex, value[1..])
                        : new FieldFilter(name, FilterKind.Equal, value);
                    if (FilterCompiler.Validate(field, filter) is { } invalid)
                    {
                        return Fail(invalid);
                    }
                    filters.Add(filter);
                    break;
            }
        }
        return Result<SessionQuery>.Ok(new SessionQuery
        {
            Columns = columns,
            Filters = filters,
            Limit = limit,
            RowTimeout = rowTimeout,
        });
    }

    private static bool TryReadCount(string flag, string? value, out int count, out string error)
    {
        error = "";
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count))
        {
            return true;
        }
        error = value is null
            ? $"--{flag} needs a value, for example --{flag}=10"
            : $"Invalid value for --{flag}: \"{value}\" is not a whole number (0 or more)";
        return false;
    }

    private static Result<SessionQuery> Fail(string message) => Result<SessionQuery>.Fail(message);
}
