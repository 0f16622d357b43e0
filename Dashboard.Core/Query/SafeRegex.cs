using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Dashboard.Core.Query;

/// <summary>
/// Compiles filter patterns with .NET's non-backtracking engine, whose matching time is linear in the
/// input: no pattern can stall the node (docs/query-language.md#regular-expressions). Compiled patterns
/// are cached, as queries repeat (a live grid re-runs its query four times a second), with the
/// <see cref="TextMatcher"/> scans use.
/// </summary>
public static class SafeRegex
{
    /// <summary>Longer patterns are refused: they only cost memory and nobody types them.</summary>
    public const int MaxPatternLength = 1000;

    private const int CacheSize = 256;
    private static readonly ConcurrentDictionary<string, TextMatcher> Cache = new(StringComparer.Ordinal);

    /// <summary>Compiles a pattern, or says plainly why it cannot be used.</summary>
    public static Result<Regex> Compile(string pattern)
    {
        var matcher = CompileMatcher(pattern);
        return matcher.IsSuccess ? Result<Regex>.Ok(matcher.Value.Regex) : Result<Regex>.Fail(matcher.Error!);
    }

    /// <summary>The pattern with its literal prefilter and per-value cache, as a scan tests values with it.</summary>
    internal static Result<TextMatcher> CompileMatcher(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return Result<TextMatcher>.Ok(cached);
        }
        if (pattern.Length > MaxPatternLength)
        {
            return Result<TextMatcher>.Fail($"Regular expression is too long ({pattern.Length} characters; at most {MaxPatternLength})");
        }
        try
        {
            var matcher = new TextMatcher(new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant));
            if (Cache.Count >= CacheSize)
            {
                Cache.Clear();
            }
            Cache[pattern] = matcher;
            return Result<TextMatcher>.Ok(matcher);
        }
        catch (RegexParseException exception)
        {
            return Result<TextMatcher>.Fail($"Invalid regular expression \"{pattern}\": {Reason(exception)}");
        }
        catch (NotSupportedException)
        {
            return Result<TextMatcher>.Fail(
                $"Invalid regular expression \"{pattern}\": backreferences, lookarounds, atomic groups and conditionals are not supported (the engine must run in linear time)");
        }
    }

    private static string Reason(RegexParseException exception)
    {
        // The message reads "Invalid pattern '...' at offset N. <reason>"; keep the reason and offset.
        var message = exception.Message;
        var reasonStart = message.IndexOf(". ", StringComparison.Ordinal);
        var reason = reasonStart >= 0 ? message[(reasonStart + 2)..].TrimEnd('.') : message;
        return $"{reason} (at character {exception.Offset})";
    }
}
