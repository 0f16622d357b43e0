namespace Dashboard.Core.Blocks;

/// <summary>
/// <c>*</c> (any run of characters, also none) and <c>?</c> (exactly one character) over the whole text,
/// case-sensitive, every other character literal. Matched without regular expressions by the usual
/// two-pointer walk that remembers only the last <c>*</c>: at most pattern length × text length steps,
/// so no pattern can make it run away (no catastrophic backtracking).
/// </summary>
public static class WildcardPattern
{
    /// <summary>Whether the whole of <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(string pattern, string text)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(text);
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                // Try the star as empty first; on a later mismatch it takes one more character.
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    /// <summary>Whether the text has a wildcard at all (one without is better blocked as an exact client id).</summary>
    public static bool HasWildcard(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;
}
