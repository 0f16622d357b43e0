namespace Dashboard.Core.Auth;

/// <summary>How one level of a rule's topic filter matches.</summary>
internal enum LevelKind
{
    Literal,
    SingleWildcard,
    MultiWildcard,
    UserName,
    ClientId,
    Mountpoint,
}

/// <summary>One pre-split level of a rule's topic filter.</summary>
internal readonly record struct FilterLevel(LevelKind Kind, string Text);

/// <summary>
/// A rule's topic filter, split into levels once at parse time so that matching, which runs on every
/// subscribe and publish, walks the requested topic without allocating.
/// </summary>
internal static class TopicFilter
{
    /// <summary>Splits and checks a rule's topic; <paramref name="isPattern"/> turns whole <c>%u</c>/<c>%c</c>/<c>%m</c> levels into placeholders.</summary>
    public static FilterLevel[]? Compile(string topic, bool isPattern, out string? error)
    {
        if (topic.Contains('\0', StringComparison.Ordinal))
        {
            error = $"invalid topic {AuthText.Quote(topic)}: it contains a NUL character";
            return null;
        }
        var parts = topic.Split('/');
        var levels = new FilterLevel[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            LevelKind kind;
            if (part == "#")
            {
                if (i != parts.Length - 1)
                {
                    error = $"invalid topic {AuthText.Quote(topic)}: \"#\" is allowed only as the last level";
                    return null;
                }
                kind = LevelKind.MultiWildcard;
            }
            else if (part == "+")
            {
                kind = LevelKind.SingleWildcard;
            }
            else if (part.Contains('#', StringComparison.Ordinal) || part.Contains('+', StringComparison.Ordinal))
            {
                // Also catches a trailing "# comment", which vmq.acl does not have.
                error = $"invalid topic {AuthText.Quote(topic)}: \"+\" and \"#\" must be a whole level (comments go on their own line)";
                return null;
            }
            else
            {
                kind = isPattern ? PlaceholderKind(part) : LevelKind.Literal;
            }
            levels[i] = new FilterLevel(kind, part);
        }
        error = null;
        return levels;
    }

    private static LevelKind PlaceholderKind(string level) => level switch
    {
        "%u" => LevelKind.UserName,
        "%c" => LevelKind.ClientId,
        "%m" => LevelKind.Mountpoint,
        _ => LevelKind.Literal,
    };

    /// <summary>
    /// Whether the requested filter or topic <paramref name="topic"/> is covered by <paramref name="levels"/>.
    /// Wildcards in the request are literal text; a placeholder value is compared as one literal level,
    /// so a user named <c>#</c> or <c>a/b</c> gains nothing.
    /// </summary>
    public static bool Matches(FilterLevel[] levels, ReadOnlySpan<char> topic, string? user, string clientId, string mountpoint)
    {
        var rest = topic;
        var exhausted = false;
        foreach (var level in levels)
        {
            if (level.Kind == LevelKind.MultiWildcard)
            {
                // "#" also matches the parent level: rule "a/#" allows "a".
                return true;
            }
            if (exhausted)
            {
                return false;
            }
            ReadOnlySpan<char> current;
            var slash = rest.IndexOf('/');
            if (slash < 0)
            {
                current = rest;
                exhausted = true;
            }
            else
            {
                current = rest[..slash];
                rest = rest[(slash + 1)..];
            }
            var matches = level.Kind switch
            {
                LevelKind.SingleWildcard => true,
                LevelKind.Literal => current.SequenceEqual(level.Text),
                // An anonymous client has no user name to substitute: a %u rule never matches it.
                LevelKind.UserName => !string.IsNullOrEmpty(user) && current.SequenceEqual(user),
                LevelKind.ClientId => clientId.Length > 0 && current.SequenceEqual(clientId),
                // The default mountpoint is the empty string, a legitimate (empty) level.
                LevelKind.Mountpoint => current.SequenceEqual(mountpoint),
                _ => false,
            };
            if (!matches)
            {
                return false;
            }
        }
        return exhausted;
    }
}
