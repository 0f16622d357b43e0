namespace Dashboard.Core.Query;

/// <summary>
/// Literal text that every match of a pattern must contain, read from the pattern's simplest shapes:
/// a prefix after a leading <c>^</c>, and runs of plain characters between classes and quantifiers.
/// A value passes <see cref="Allows"/> whenever the pattern matches it, so testing this first only
/// skips the regex for values that cannot match; the regex still decides every other value.
/// </summary>
/// <remarks>
/// Patterns with groups, alternation or any escape not known here give no literals (<see cref="None"/>):
/// reading them wrongly would drop matches, reading them not at all only costs speed.
/// The pattern is matched case-sensitively and culture-invariantly (<see cref="SafeRegex"/>), so a
/// literal character matches exactly itself (ordinal comparison).
/// </remarks>
internal sealed class RequiredLiterals
{
    /// <summary>Literals of a pattern that gives none: every value passes.</summary>
    public static RequiredLiterals None { get; } = new("", []);

    // An array, not the interface, where it is tested: a foreach over IReadOnlyList allocates an enumerator per value.
    private readonly string[] _inner;

    private RequiredLiterals(string prefix, string[] inner)
    {
        Prefix = prefix;
        _inner = inner;
    }

    /// <summary>What every match starts with (the pattern is anchored with <c>^</c>); empty when nothing is known.</summary>
    public string Prefix { get; }

    /// <summary>Text every match contains somewhere after <see cref="Prefix"/>, longest first.</summary>
    public IReadOnlyList<string> Inner => _inner;

    /// <summary>Whether any value is refused before the regex runs.</summary>
    public bool Filters => Prefix.Length > 0 || _inner.Length > 0;

    /// <summary>False when <paramref name="text"/> cannot match the pattern; true when it may.</summary>
    public bool Allows(string text)
    {
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = text.AsSpan(Prefix.Length);
        foreach (var literal in _inner)
        {
            if (rest.IndexOf(literal, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The literals of <paramref name="pattern"/>; <see cref="None"/> when its shape is not one read here.</summary>
    public static RequiredLiterals Of(string pattern)
    {
        var runs = new List<string>();
        var run = new System.Text.StringBuilder();
        var anchored = pattern.StartsWith('^');
        var i = anchored ? 1 : 0;
        // Whether the run being built started at the first atom after ^ (so it is a prefix).
        var prefixRun = anchored;
        string? prefix = null;

        void EndRun()
        {
            if (prefixRun)
            {
                prefix = run.ToString();
                prefixRun = false;
            }
            else if (run.Length > 0)
            {
                runs.Add(run.ToString());
            }
            run.Clear();
        }

        while (i < pattern.Length)
        {
            var c = pattern[i];
            char? literal = null;
            switch (c)
            {
                case '(' or ')' or '|' or '^' or '*' or '+' or '?' or '{':
                    // Groups and alternation may make any literal optional; a quantifier here follows nothing.
                    return None;
                case '$':
                    i++;
                    EndRun();
                    continue;
                case '.':
                    i++;
                    break;
                case '[':
                    if (ClassEnd(pattern, i) is not { } end)
                    {
                        return None;
                    }
                    i = end + 1;
                    break;
                case '\\':
                    if (i + 1 >= pattern.Length)
                    {
                        return None;
                    }
                    var escaped = pattern[i + 1];
                    if (escaped is 'd' or 'D' or 'w' or 'W' or 's' or 'S')
                    {
                        i += 2;
                    }
                    else if (escaped is 'p' or 'P')
                    {
                        var close = i + 2 < pattern.Length && pattern[i + 2] == '{' ? pattern.IndexOf('}', i + 3) : -1;
                        if (close < 0)
                        {
                            return None;
                        }
                        i = close + 1;
                    }
                    else if (escaped is 'b' or 'B' or 'A' or 'z' or 'Z' or 'G')
                    {
                        // Zero-width: the run ends, nothing is consumed.
                        i += 2;
                        EndRun();
                        continue;
                    }
                    else if (char.IsLetterOrDigit(escaped) || escaped == '_' || char.IsSurrogate(escaped))
                    {
                        // \t, \x41, \u0041, \1, \k<n>, \cX ...: not read here.
                        return None;
                    }
                    else
                    {
                        literal = escaped;
                        i += 2;
                    }
                    break;
                default:
                    literal = c;
                    i++;
                    break;
            }
            if (!Quantifier(pattern, ref i, out var minimum, out var quantified))
            {
                return None;
            }
            if (literal is { } character && (!quantified || minimum > 0))
            {
                run.Append(character);
            }
            if (literal is null || quantified)
            {
                // A class, or a character that may repeat or be absent, ends the run of fixed text.
                EndRun();
            }
        }
        EndRun();
        var inner = runs.Distinct(StringComparer.Ordinal).OrderByDescending(r => r.Length).ToArray();
        return prefix is { Length: > 0 } || inner.Length > 0 ? new RequiredLiterals(prefix ?? "", inner) : None;
    }

    /// <summary>
    /// Reads an optional quantifier at <paramref name="i"/> and its minimum count (1 when there is none);
    /// false when the text after the atom is not one read here.
    /// </summary>
    private static bool Quantifier(string pattern, ref int i, out int minimum, out bool quantified)
    {
        minimum = 1;
        quantified = false;
        if (i >= pattern.Length)
        {
            return true;
        }
        switch (pattern[i])
        {
            case '*' or '?':
                minimum = 0;
                i++;
                break;
            case '+':
                i++;
                break;
            case '{':
                var close = pattern.IndexOf('}', i);
                if (close < 0)
                {
                    return false;
                }
                var body = pattern.AsSpan(i + 1, close - i - 1);
                var comma = body.IndexOf(',');
                var low = comma < 0 ? body : body[..comma];
                var high = comma < 0 ? ReadOnlySpan<char>.Empty : body[(comma + 1)..];
                if (low.IsEmpty || low.Length > 6 || !IsDigits(low) || !(high.IsEmpty || IsDigits(high)))
                {
                    // Not a quantifier (.NET would read a literal brace): not read here.
                    return false;
                }
                minimum = int.Parse(low, System.Globalization.CultureInfo.InvariantCulture);
                i = close + 1;
                break;
            default:
                return true;
        }
        quantified = true;
        if (i < pattern.Length && pattern[i] == '?')
        {
            // Lazy: the same texts match.
            i++;
        }
        // A second quantifier is an error the compiler would have refused.
        return i >= pattern.Length || pattern[i] is not ('*' or '+' or '?' or '{');
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The index of the <c>]</c> closing the class opened at <paramref name="start"/>; null for classes not read here.</summary>
    private static int? ClassEnd(string pattern, int start)
    {
        var i = start + 1;
        if (i < pattern.Length && pattern[i] == '^')
        {
            i++;
        }
        if (i < pattern.Length && pattern[i] == ']')
        {
            // A leading ] is a literal in .NET: not read here.
            return null;
        }
        while (i < pattern.Length)
        {
            switch (pattern[i])
            {
                case '\\':
                    // \cX takes any character after the c, ] too (\c] is 0x1D), so the ] after it does not end
                    // the class: not read here. Other longer escapes (\x41, \u0041, \p{L}, octal) take only
                    // digits, letters and braces, and are skipped over by the loop.
                    if (i + 1 < pattern.Length && pattern[i + 1] == 'c')
                    {
                        return null;
                    }
                    i += 2;
                    continue;
                case '[':
                    // Subtraction ([a-z-[aeiou]]) and the like.
                    return null;
                case ']':
                    return i;
            }
            i++;
        }
        return null;
    }
}
