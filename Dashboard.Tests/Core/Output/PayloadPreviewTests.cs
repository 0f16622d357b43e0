using System.Text;
using Dashboard.Core.Output;

namespace Dashboard.Tests.Core.Output;

public class PayloadPreviewTests
{
    [Theory]
    [InlineData("thepayload")]
    [InlineData("{\n\t\"temp\": 21.5\r\n}")]
    [InlineData("Grüße, 温度 🌡")]
    [InlineData("")]
    public void Of_PrintableUtf8_IsText(string payload)
    {
        var preview = PayloadPreview.Of(Encoding.UTF8.GetBytes(payload));

        Assert.Equal(new PayloadPreview(payload, IsHex: false, Truncated: false, Encoding.UTF8.GetByteCount(payload)), preview);
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0x00, 0x10 }, "0xff0010")]
    [InlineData(new byte[] { 0x41, 0x00, 0x42 }, "0x410042")]
    [InlineData(new byte[] { 0x1b, 0x5b, 0x32, 0x4a }, "0x1b5b324a")]
    [InlineData(new byte[] { 0xe2, 0x80, 0xa8 }, "0xe280a8")]
    // "a", U+202E (right-to-left override), "b": shown as text it would reverse what follows it.
    [InlineData(new byte[] { 0x61, 0xe2, 0x80, 0xae, 0x62 }, "0x61e280ae62")]
    public void Of_InvalidUtf8OrControlCharacters_IsHex(byte[] payload, string hex)
    {
        var preview = PayloadPreview.Of(payload);

        Assert.True(preview.IsHex);
        Assert.Equal(hex, preview.Text);
        Assert.Equal(payload.Length, preview.Length);
    }

    [Fact]
    public void Of_LongText_ShowsTheFirstBytesAndSaysSo()
    {
        var preview = PayloadPreview.Of(Encoding.UTF8.GetBytes(new string('x', 5000)), maxBytes: 100);

        Assert.Equal(new PayloadPreview(new string('x', 100), IsHex: false, Truncated: true, 5000), preview);
    }

    [Fact]
    public void Of_LimitCutsACharacter_KeepsTextWithoutIt()
    {
        // "ab" then "€" (3 bytes): a limit of 3 cuts the euro sign after its first byte.
        var preview = PayloadPreview.Of(Encoding.UTF8.GetBytes("ab€€"), maxBytes: 3);

        Assert.False(preview.IsHex);
        Assert.Equal("ab", preview.Text);
        Assert.True(preview.Truncated);
    }

    [Fact]
    public void Of_LongBinary_HexOfTheShownBytesOnly()
    {
        var preview = PayloadPreview.Of(Enumerable.Repeat((byte)0xfe, 1000).ToArray(), maxBytes: 4);

        Assert.Equal(new PayloadPreview("0xfefefefe", IsHex: true, Truncated: true, 1000), preview);
    }
}
