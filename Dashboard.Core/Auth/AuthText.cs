namespace Dashboard.Core.Auth;

/// <summary>Line handling shared by the auth file parsers.</summary>
internal static class AuthText
{
    /// <summary>
    /// The lines of <paramref name="text"/>, breaking at LF, CRLF or a lone CR, so line numbers agree
    /// with editors. A final line break does not start another (empty) line; a leading BOM is skipped.
    /// </summary>
    public static List<string> Lines(string text)
    {
        var lines = new List<string>();
        var start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var i = start;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '\n' or '\r')
            {
                lines.Add(text[start..i]);
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                start = i;
            }
            else
            {
                i++;
            }
        }
        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }
        return lines;
    }

    /// <summary>The trimmed lines that carry content (not blank, not a <c>#</c> comment), with their 1-based numbers.</summary>
    public static IEnumerable<(int Number, string Line)> ContentLines(string text)
    {
        var lines = Lines(text);
        for (var index = 0; index < lines.Count; index++)
        {
            var line = lines[index].Trim();
            if (line.Length > 0 && line[0] != '#')
            {
                yield return (index + 1, line);
            }
        }
    }

    /// <summary>The first whitespace-delimited word of a trimmed line and the trimmed rest.</summary>
    public static (string Word, string Remainder) SplitWord(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (char.IsWhiteSpace(line[i]))
            {
                return (line[..i], line[i..].Trim());
            }
        }
        return (line, "");
    }

    /// <summary>Text quoted for an error message, shortened so a garbage line cannot flood the log.</summary>
    public static string Quote(string text) =>
        text.Length <= 60 ? $"\"{text}\"" : $"\"{text[..57]}...\"";
}
