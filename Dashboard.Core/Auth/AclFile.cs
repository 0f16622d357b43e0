namespace Dashboard.Core.Auth;

/// <summary>
/// A parsed VerneMQ ACL file (<c>vmq.acl</c>): immutable rules and the check that runs on every
/// subscribe and publish. Rules only ever allow; whatever no rule allows is refused.
/// </summary>
public sealed class AclFile
{
    private readonly RuleSet _global;
    private readonly Dictionary<string, RuleSet> _users;
    private readonly RuleSet _patterns;

    private AclFile(IReadOnlyList<AclRule> rules)
    {
        Rules = rules;
        _global = RuleSet.From(rules.Where(rule => rule.Scope == AclRuleScope.Global));
        _patterns = RuleSet.From(rules.Where(rule => rule.Scope == AclRuleScope.Pattern));
        // Indexed by user name so a check touches only the client's own section, however many users there are.
        _users = rules
            .Where(rule => rule.Scope == AclRuleScope.User)
            .GroupBy(rule => rule.User!, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, RuleSet.From, StringComparer.Ordinal);
    }

    /// <summary>The file that allows nothing: what applies before any valid file was loaded (fail closed).</summary>
    public static AclFile Empty { get; } = new([]);

    /// <summary>Every rule in file order.</summary>
    public IReadOnlyList<AclRule> Rules { get; }

    /// <summary>The user names that have a <c>user</c> section with at least one rule.</summary>
    public IReadOnlyCollection<string> Users => _users.Keys;

    /// <summary>
    /// Parses the text of a vmq.acl file. Accepts CRLF line endings and whitespace around lines and words;
    /// every malformed line is reported with its number, and then no rules are returned.
    /// </summary>
    public static AuthParseResult<AclFile> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rules = new List<AclRule>();
        var errors = new List<AuthFileError>();
        string? section = null;
        foreach (var (lineNumber, line) in AuthText.ContentLines(text))
        {
            var (keyword, rest) = AuthText.SplitWord(line);
            switch (keyword)
            {
                case "user":
                    if (rest.Length == 0)
                    {
                        errors.Add(new AuthFileError(lineNumber, "\"user\" needs a name"));
                    }
                    else
                    {
                        section = rest;
                    }
                    break;
                case "topic":
                    AddRule(section is null ? AclRuleScope.Global : AclRuleScope.User, section, keyword, rest, lineNumber, rules, errors);
                    break;
                case "pattern":
                    // Patterns apply to everyone wherever they appear, as in VerneMQ.
                    AddRule(AclRuleScope.Pattern, null, keyword, rest, lineNumber, rules, errors);
                    break;
                default:
                    errors.Add(new AuthFileError(lineNumber, $"unknown keyword {AuthText.Quote(keyword)}"));
                    break;
            }
        }
        return errors.Count == 0
            ? AuthParseResult<AclFile>.Ok(new AclFile(rules))
            : AuthParseResult<AclFile>.Fail(errors);
    }

    private static void AddRule(
        AclRuleScope scope, string? user, string keyword, string rest, int lineNumber, List<AclRule> rules, List<AuthFileError> errors)
    {
        var (word, afterWord) = AuthText.SplitWord(rest);
        AclAccess access;
        string topic;
        string form;
        if (word is "read" or "write")
        {
            access = word == "read" ? AclAccess.Read : AclAccess.Write;
            topic = afterWord;
            form = $"{keyword} {word}";
        }
        else
        {
            access = AclAccess.ReadWrite;
            topic = rest;
            form = keyword;
        }
        if (topic.Length == 0)
        {
            errors.Add(new AuthFileError(lineNumber, $"\"{form}\" needs a topic"));
            return;
        }
        var levels = TopicFilter.Compile(topic, scope == AclRuleScope.Pattern, out var error);
        if (levels is null)
        {
            errors.Add(new AuthFileError(lineNumber, error!));
            return;
        }
        rules.Add(new AclRule(scope, user, access, topic, lineNumber, levels));
    }

    /// <summary>
    /// Whether the file allows <paramref name="access"/> to <paramref name="topic"/> (a topic to publish to,
    /// or a filter to subscribe to) for this client. Global rules are tried first, then the user's section,
    /// then patterns; the first rule that allows wins, and no match means not allowed.
    /// <see cref="AclAccess.ReadWrite"/> asks for both and is allowed when each one is.
    /// </summary>
    /// <param name="access">Read (subscribe), Write (publish) or both.</param>
    /// <param name="user">The client's user name; null for an anonymous client.</param>
    /// <param name="clientId">The client id, substituted for <c>%c</c> levels in patterns.</param>
    /// <param name="mountpoint">The mountpoint, substituted for <c>%m</c> levels; empty for the default.</param>
    /// <param name="topic">The requested topic or filter; its wildcards are literal text.</param>
    public bool IsAllowed(AclAccess access, string? user, string clientId, string mountpoint, string topic)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(mountpoint);
        ArgumentNullException.ThrowIfNull(topic);
        return access switch
        {
            AclAccess.Read => IsAllowed(read: true, user, clientId, mountpoint, topic),
            AclAccess.Write => IsAllowed(read: false, user, clientId, mountpoint, topic),
            AclAccess.ReadWrite => IsAllowed(read: true, user, clientId, mountpoint, topic)
                && IsAllowed(read: false, user, clientId, mountpoint, topic),
            _ => throw new ArgumentOutOfRangeException(nameof(access), access, "Ask for Read, Write or ReadWrite."),
        };
    }

    private bool IsAllowed(bool read, string? user, string clientId, string mountpoint, string topic)
    {
        if (AnyMatches(_global.For(read), user, clientId, mountpoint, topic))
        {
            return true;
        }
        if (user is not null
            && _users.TryGetValue(user, out var section)
            && AnyMatches(section.For(read), user, clientId, mountpoint, topic))
        {
            return true;
        }
        return AnyMatches(_patterns.For(read), user, clientId, mountpoint, topic);
    }

    private static bool AnyMatches(AclRule[] rules, string? user, string clientId, string mountpoint, string topic)
    {
        foreach (var rule in rules)
        {
            if (rule.Matches(topic, user, clientId, mountpoint))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>One scope's rules split by access at parse time, so a check skips rules of the other kind.</summary>
    private sealed class RuleSet
    {
        private readonly AclRule[] _read;
        private readonly AclRule[] _write;

        private RuleSet(AclRule[] read, AclRule[] write)
        {
            _read = read;
            _write = write;
        }

        public static RuleSet From(IEnumerable<AclRule> rules)
        {
            var all = rules.ToArray();
            return new RuleSet(
                [.. all.Where(rule => rule.Access.HasFlag(AclAccess.Read))],
                [.. all.Where(rule => rule.Access.HasFlag(AclAccess.Write))]);
        }

        public AclRule[] For(bool read) => read ? _read : _write;
    }
}
