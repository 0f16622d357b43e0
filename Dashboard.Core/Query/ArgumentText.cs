using System.Text;

namespace Dashboard.Core.Query;

/// <summary>Splits a command line into words the way a shell would, and quotes words back.</summary>
public static class ArgumentText
{
    /// <summary>
    /// Splits on whitespace; <c>'...'</c> keeps text literally, <c>"..."</c> allows <c>\"</c> and
    /// <c>\\</c>. Quotes may start mid-word (<c>--topic="a b"</c>).
    /// </summary>
    public static Result<IReadOnlyList<string>> Split(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    return Result<IReadOnlyList<string>>.Fail($"Unterminated quote ' at position {i + 1}");
                }
                word.Append(text, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                var start = i;
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
                    {
                        i++;
                    }
                    word.Append(text[i]);
                }
                if (i >= text.Length)
                {
                    return Result<IReadOnlyList<string>>.Fail($"Unterminated quote \" at position {start + 1}");
                }
            }
            else
            {
                word.Append(c);
            }
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return Result<IReadOnlyList<string>>.Ok(words);
    }

    /// <summary>Quotes a word when it holds whitespace or quotes, so <see cref="Split"/> returns it whole.</summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && !word.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"'))
        {
            return word;
        }
        if (!word.Contains('\''))
        {
            return $"'{word}'";
        }
        return "\"" + word.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
