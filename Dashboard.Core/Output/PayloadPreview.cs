using System.Buffers;
using System.Text.Unicode;

namespace Dashboard.Core.Output;

/// <summary>
/// How a payload reads for people on the pages: text or hex, whichever fits, never raw control
/// characters, cut to a length a page can show.
/// </summary>
/// <param name="Text">The payload as text, or as <c>0x</c>-prefixed hex when it is not printable text.</param>
/// <param name="IsHex">Whether <paramref name="Text"/> is hex.</param>
/// <param name="Truncated">Whether only the first bytes are shown.</param>
/// <param name="Length">The whole payload's size in bytes.</param>
public sealed record PayloadPreview(string Text, bool IsHex, bool Truncated, int Length)
{
    /// <summary>How many bytes a preview shows unless told otherwise.</summary>
    public const int DefaultMaxBytes = 2048;

    /// <summary>
    /// Text when the shown bytes are valid UTF-8 without control characters (tabs and line breaks
    /// are fine), hex otherwise. A multi-byte character cut by the limit is left out, not turned into hex.
    /// </summary>
    public static PayloadPreview Of(ReadOnlySpan<byte> payload, int maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var truncated = payload.Length > maxBytes;
        var shown = truncated ? payload[..maxBytes] : payload;
        var chars = new char[shown.Length];
        var status = Utf8.ToUtf16(shown, chars, out var read, out var written,
            replaceInvalidSequences: false, isFinalBlock: !truncated);
        var text = status == OperationStatus.Done || (truncated && status == OperationStatus.NeedMoreData && read > 0)
            ? new string(chars, 0, written)
            : null;
        return text is not null && !text.Any(IsUnprintable)
            ? new PayloadPreview(text, IsHex: false, truncated, payload.Length)
            : new PayloadPreview(ValueText.Hex(shown), IsHex: true, truncated, payload.Length);
    }

    // What Printable escapes, bidi controls included, except the layout a text payload may have.
    private static bool IsUnprintable(char c) =>
        c is not ('\t' or '\n' or '\r') && ValueText.IsControl(c);
}
