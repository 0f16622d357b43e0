using System.Globalization;
using Dashboard.Core.Query;

namespace Dashboard.Security;

/// <summary>
/// The /audit page's filters as the text its address and the CSV export carry (<c>actor</c>, <c>action</c>,
/// <c>target</c>, <c>from</c>, <c>to</c>), turned into an <see cref="AuditQuery"/> with a message for any
/// bad value. One parser for both, so a link copied from the page exports exactly the rows it shows.
/// </summary>
public sealed record AuditFilter
{
    /// <summary>The query parameter names, in the order links write them.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } = ["actor", "action", "target", "from", "to"];

    public string? Actor { get; init; }

    public string? Action { get; init; }

    /// <summary>A client id, user name, key or token name.</summary>
    public string? Target { get; init; }

    /// <summary>Inclusive start: ISO 8601, UTC unless it names an offset (<c>2025-03-01T12:00:00Z</c>, <c>2025-03-01</c>).</summary>
    public string? From { get; init; }

    /// <summary>Exclusive end, written like <see cref="From"/>.</summary>
    public string? To { get; init; }

    /// <summary>Whether any filter is set.</summary>
    public bool IsEmpty => ParameterNames.All(name => string.IsNullOrEmpty(Get(name)));

    /// <summary>The query for these filters, at most <paramref name="limit"/> entries, or why it cannot run.</summary>
    public Result<AuditQuery> ToQuery(int limit)
    {
        if (Action is { Length: > 0 } action && !AuditActions.All.Contains(action, StringComparer.Ordinal))
        {
            return Result<AuditQuery>.Fail($"Unknown action \"{action}\": one of {string.Join(", ", AuditActions.All)}");
        }
        var from = ParseTime(From, "from");
        if (!from.IsSuccess)
        {
            return Result<AuditQuery>.Fail(from.Error!);
        }
        var to = ParseTime(To, "to");
        if (!to.IsSuccess)
        {
            return Result<AuditQuery>.Fail(to.Error!);
        }
        if (from.Value is { } start && to.Value is { } end && start > end)
        {
            return Result<AuditQuery>.Fail("The time range ends before it starts");
        }
        return Result<AuditQuery>.Ok(new AuditQuery
        {
            // Empty means "any": a cleared field in a form or link is not a filter for the empty actor.
            Actor = NullIfEmpty(Actor),
            Action = NullIfEmpty(Action),
            Target = NullIfEmpty(Target),
            From = from.Value,
            To = to.Value,
            Limit = limit,
        });
    }

    /// <summary>The set filters as a query string without the leading <c>?</c>, each value escaped.</summary>
    public string ToQueryString() => string.Join("&", ParameterNames
        .Where(name => !string.IsNullOrEmpty(Get(name)))
        .Select(name => $"{name}={Uri.EscapeDataString(Get(name)!)}"));

    /// <summary>How the address writes a time: UTC to the second, so it reads the same for everyone.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a time as <see cref="From"/> describes; null for empty.</summary>
    public static Result<DateTimeOffset?> ParseTime(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Result<DateTimeOffset?>.Ok(null);
        }
        // Without an offset a time is UTC, never the server's zone: the server's zone is nobody's business.
        return DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? Result<DateTimeOffset?>.Ok(time)
            : Result<DateTimeOffset?>.Fail($"Invalid {name} time \"{text}\": use ISO 8601, e.g. 2025-03-01T12:00:00Z");
    }

    private string? Get(string name) => name switch
    {
        "actor" => Actor,
        "action" => Action,
        "target" => Target,
        "from" => From,
        "to" => To,
        _ => null,
    };

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
