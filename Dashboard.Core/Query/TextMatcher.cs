using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Dashboard.Core.Query;

/// <summary>
/// A filter pattern as a scan uses it: the non-backtracking regex decides, two cheaper steps in front
/// of it only save work. Values that lack the pattern's required literal text (<see cref="RequiredLiterals"/>)
/// are refused without the regex; a value met before (the same string object, as the store shares
/// one per distinct topic) is answered from a small cache, so a topic that thousands of sessions
/// subscribe to is matched about once per query rather than once per session.
/// </summary>
/// <remarks>
/// Thread-safe without locks: the cache is two arrays of references, one holding only values that
/// matched and one only values that did not. Each write is one reference, so a reader racing a writer
/// sees a value in the right array or in neither (and asks the regex), never a wrong answer.
/// </remarks>
internal sealed class TextMatcher
{
    private const int CacheSlots = 1024;

    private readonly string?[] _matched = new string?[CacheSlots];
    private readonly string?[] _unmatched = new string?[CacheSlots];

    // A Regex keeps one matching engine for reuse; threads matching at the same time (a scan split
    // across cores) would each build a new one per value. Each thread gets an instance of its own.
    private readonly ThreadLocal<Regex> _perThread;

    public TextMatcher(Regex regex)
    {
        Regex = regex;
        Literals = RequiredLiterals.Of(regex.ToString());
        _perThread = new ThreadLocal<Regex>(() => new Regex(regex.ToString(), regex.Options));
    }

    /// <summary>The compiled pattern (non-backtracking: linear in the value's length).</summary>
    public Regex Regex { get; }

    /// <summary>The literal text every match contains.</summary>
    public RequiredLiterals Literals { get; }

    /// <summary>Whether the pattern matches somewhere in <paramref name="text"/>; exactly <c>Regex.IsMatch</c>.</summary>
    public bool IsMatch(string text) => Literals.Allows(text) && _perThread.Value!.IsMatch(text);

    /// <summary>
    /// <see cref="IsMatch"/> with the answer cached by string object: for values the store shares
    /// between sessions (topics). Other values would only fill the cache with strings met once.
    /// </summary>
    public bool IsMatchShared(string text)
    {
        if (!Literals.Allows(text))
        {
            return false;
        }
        var slot = RuntimeHelpers.GetHashCode(text) & (CacheSlots - 1);
        if (ReferenceEquals(Volatile.Read(ref _matched[slot]), text))
        {
            return true;
        }
        if (ReferenceEquals(Volatile.Read(ref _unmatched[slot]), text))
        {
            return false;
        }
        var matched = _perThread.Value!.IsMatch(text);
        Volatile.Write(ref (matched ? _matched : _unmatched)[slot], text);
        return matched;
    }
}
