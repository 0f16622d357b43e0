using System.Globalization;
using System.Text;

namespace Dashboard.Core.Output;

/// <summary>How field values read as text in tables, CSV and the UI.</summary>
public static class ValueText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The value as plain text: booleans as <c>true</c>/<c>false</c>, numbers invariant, payloads as
    /// text when valid UTF-8 and <c>0x</c>-prefixed hex otherwise; null as <c>undefined</c> (VerneMQ).
    /// </summary>
    public static string Plain(object? value) => value switch
    {
        null => "undefined",
        string text => text,
        bool flag => flag ? "true" : "false",
        long number => number.ToString(CultureInfo.InvariantCulture),
        ReadOnlyMemory<byte> bytes => PayloadText(bytes.Span),
        IFormattable other => other.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// The text for a terminal or a page: like <see cref="Plain"/>, with control characters written as
    /// <c>\xNN</c> so a hostile client id cannot move the cursor or clear the screen, and bidirectional
    /// controls as <c>\uNNNN</c> so it cannot reorder what follows (<c>"x\u202Eexe.txt"</c> showing as <c>xtxt.exe</c>).
    /// </summary>
    public static string Printable(object? value)
    {
        var text = Plain(value);
        if (!text.Any(IsControl))
        {
            return text;
        }
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (IsControl(c))
            {
                if (c <= '\u00ff')
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                }
                else
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                }
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>A payload as text when it is valid UTF-8; null otherwise (control characters are <see cref="Printable"/>'s business).</summary>
    public static string? TryDecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Payload bytes as <c>0x</c>-prefixed lower-case hex.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    private static string PayloadText(ReadOnlySpan<byte> bytes) => TryDecodeUtf8(bytes) ?? Hex(bytes);

    /// <summary>Whether <paramref name="c"/> is written escaped by <see cref="Printable"/>.</summary>
    internal static bool IsControl(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' || IsBidiControl(c);

    // Marks, embeddings, overrides and isolates: invisible, yet they change the order text is shown in.
    private static bool IsBidiControl(char c) =>
        c is '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');
}
