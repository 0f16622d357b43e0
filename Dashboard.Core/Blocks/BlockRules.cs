using System.Globalization;
using System.Net;
using Dashboard.Core.Query;

namespace Dashboard.Core.Blocks;

/// <summary>
/// Checks what a person typed for a block and says in words what is wrong: the kind, the pattern for
/// that kind (an address or CIDR network is brought to its canonical form), the reason and the expiry.
/// Nothing here throws on bad input.
/// </summary>
public static class BlockRules
{
    /// <summary>The longest client id or user name a block may name (characters).</summary>
    public const int MaxExactLength = 1024;

    /// <summary>
    /// The longest client id pattern (characters): matching takes at most pattern × client id steps, so
    /// this bounds the work one block adds to a connect.
    /// </summary>
    public const int MaxPatternLength = 256;

    /// <summary>The longest reason (characters).</summary>
    public const int MaxReasonLength = 500;

    /// <summary>The longest expiry: ten years (longer is "never").</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(3650);

    /// <summary>The whole request checked; <paramref name="expires"/> must be after <paramref name="now"/>.</summary>
    public static Result<BlockRequest> Validate(string? kindName, string? pattern, string? reason, DateTimeOffset? expires, DateTimeOffset now)
    {
        if (!BlockKinds.TryParse(kindName?.Trim(), out var kind))
        {
            return Result<BlockRequest>.Fail(
                $"Unknown block kind \"{Shorten(kindName)}\": {string.Join(", ", BlockKinds.Names)}");
        }
        var normalized = NormalizePattern(kind, pattern);
        if (!normalized.IsSuccess)
        {
            return Result<BlockRequest>.Fail(normalized.Error!);
        }
        var why = (reason ?? "").Trim();
        if (why.Length == 0)
        {
            return Result<BlockRequest>.Fail("A reason is required: say why the client is blocked");
        }
        if (why.Length > MaxReasonLength)
        {
            return Result<BlockRequest>.Fail($"The reason is {why.Length:N0} characters long; at most {MaxReasonLength} are allowed");
        }
        if (why.Any(char.IsControl))
        {
            return Result<BlockRequest>.Fail("The reason may not contain control characters (line breaks, tabs)");
        }
        if (expires is { } until && until <= now)
        {
            return Result<BlockRequest>.Fail("The expiry is in the past: a block must end after now, or never");
        }
        return Result<BlockRequest>.Ok(new BlockRequest(kind, normalized.Value, why, expires));
    }

    /// <summary>The pattern as stored: checked, and for addresses in canonical form (<c>10.0.0.0/8</c>, <c>::1</c>).</summary>
    public static Result<string> NormalizePattern(BlockKind kind, string? pattern)
    {
        var text = pattern ?? "";
        if (kind != BlockKind.PeerAddress && text.Contains('\0', StringComparison.Ordinal))
        {
            return Result<string>.Fail("The pattern may not contain U+0000 (no MQTT client id or user name can)");
        }
        switch (kind)
        {
            case BlockKind.ClientId or BlockKind.User:
                if (text.Length == 0)
                {
                    return Result<string>.Fail(kind == BlockKind.ClientId ? "Give the client id to block" : "Give the user name to block");
                }
                return text.Length > MaxExactLength
                    ? Result<string>.Fail($"The {kind.Label()} is {text.Length:N0} characters long; at most {MaxExactLength:N0} can be blocked")
                    : Result<string>.Ok(text);
            case BlockKind.ClientIdPattern:
                if (text.Length == 0)
                {
                    return Result<string>.Fail("Give the client id pattern to block, e.g. sensor-*");
                }
                if (text.Length > MaxPatternLength)
                {
                    return Result<string>.Fail($"The pattern is {text.Length:N0} characters long; at most {MaxPatternLength} are allowed");
                }
                if (text.All(c => c == '*'))
                {
                    return Result<string>.Fail("A pattern of only * would block every client; block something narrower");
                }
                return Result<string>.Ok(text);
            default:
                return ParseNetwork(text.Trim()) is { IsSuccess: true } network
                    ? Result<string>.Ok(Canonical(network.Value))
                    : Result<string>.Fail(ParseNetwork(text.Trim()).Error!);
        }
    }

    /// <summary>
    /// An address (as its own /32 or /128 network) or a CIDR network. Strict: IPv4 as four decimal
    /// numbers (not <c>127.1</c>), no zone ids, no bits set after the prefix (the message names the network meant).
    /// </summary>
    public static Result<IPNetwork> ParseNetwork(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return Result<IPNetwork>.Fail("Give the peer address to block: an address (192.168.1.20, ::1) or a network in CIDR form (192.168.1.0/24)");
        }
        if (text.Length > 64)
        {
            return Result<IPNetwork>.Fail($"\"{Shorten(text)}\" is not an IP address or CIDR network");
        }
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address))
        {
            return Result<IPNetwork>.Fail($"\"{text}\" is not an IP address or CIDR network: \"{addressText}\" is not an IPv4 or IPv6 address");
        }
        var bits = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
                || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits)
            {
                return Result<IPNetwork>.Fail($"\"{text}\" is not a CIDR network: the prefix length must be a number from 0 to {bits}");
            }
        }
        if (prefix == 0)
        {
            return Result<IPNetwork>.Fail($"\"{text}\" would block every {(bits == 32 ? "IPv4" : "IPv6")} client; block a narrower network");
        }
        var network = new IPNetwork(Mask(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
        {
            return Result<IPNetwork>.Fail($"\"{text}\" has bits set after the /{prefix} prefix; the network is {network}");
        }
        return Result<IPNetwork>.Ok(network);
    }

    /// <summary>
    /// An expiry as a duration after now: a whole number with <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c>
    /// (<c>30s</c>, <c>15m</c>, <c>1h</c>, <c>7d</c>); empty or <c>never</c> for no expiry.
    /// </summary>
    public static Result<TimeSpan?> ParseDuration(string? text)
    {
        var value = (text ?? "").Trim();
        if (value.Length == 0 || value.Equals("never", StringComparison.OrdinalIgnoreCase))
        {
            return Result<TimeSpan?>.Ok(null);
        }
        var unit = char.ToLowerInvariant(value[^1]);
        var number = value[..^1];
        var fail = Result<TimeSpan?>.Fail($"Invalid expiry \"{Shorten(value)}\": a number with s, m, h or d (30s, 15m, 1h, 7d), or empty for never");
        if (unit is not ('s' or 'm' or 'h' or 'd') || number.Length is 0 or > 9 || !number.All(char.IsAsciiDigit))
        {
            return fail;
        }
        var amount = long.Parse(number, NumberStyles.None, CultureInfo.InvariantCulture);
        var seconds = unit switch { 's' => amount, 'm' => amount * 60, 'h' => amount * 3600, _ => amount * 86_400 };
        if (seconds == 0)
        {
            return Result<TimeSpan?>.Fail("The expiry must be at least 1s; leave it empty for a block that never expires");
        }
        return seconds > MaxDuration.TotalSeconds
            ? Result<TimeSpan?>.Fail($"Invalid expiry \"{value}\": at most 3650d; leave it empty for a block that never expires")
            : Result<TimeSpan?>.Ok(TimeSpan.FromSeconds(seconds));
    }

    /// <summary>A client's address as blocks compare it: an IPv4-mapped IPv6 address is its IPv4 address.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    // A single address is stored without its /32 or /128, as people write it.
    private static string Canonical(IPNetwork network) =>
        network.PrefixLength == (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            ? network.BaseAddress.ToString()
            : network.ToString();

    private static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var v6)
                || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }
            address = Normalize(v6);
            return true;
        }
        var parts = text.Split('.');
        // No leading zeros: some parsers read 010 as octal, so its meaning would be a guess.
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0')
            || int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture) > 255))
        {
            return false;
        }
        address = IPAddress.Parse(text);
        return true;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    // Hostile input is quoted back only in part.
    private static string Shorten(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";
}
