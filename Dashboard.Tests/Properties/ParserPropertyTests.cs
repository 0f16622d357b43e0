using System.Diagnostics;
using System.Globalization;
using CsCheck;
using Dashboard.Core.Actions;
using Dashboard.Core.Auth;
using Dashboard.Core.Query;
using Dashboard.Core.Store;

namespace Dashboard.Tests.Properties;

/// <summary>
/// Generated input for every parser that reads what a user or a file gives it (docs/reliability.md,
/// "Fuzzing"): the query (words, text, HTTP query string), the ACL and password files, and the action
/// arguments. Invariants: nothing throws; a refusal is a value with a message; an accepted query prints as
/// text that reads back to an equal query and runs on a store; no case takes long. Each property runs
/// <see cref="Iterations"/> cases: 3,000 on every run, more with DASHBOARD_PROPERTY_ITERATIONS (100,000
/// for the long run reported in RELIABILITY.md).
/// </summary>
public sealed class ParserPropertyTests
{
    private static readonly long Iterations =
        long.TryParse(Environment.GetEnvironmentVariable("DASHBOARD_PROPERTY_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var configured) && configured > 0
            ? configured
            : 3_000;

    // A case taking this long means a hang or runaway backtracking, not a slow machine.
    private static readonly TimeSpan MaxPerCase = TimeSpan.FromSeconds(2);

    private static readonly Gen<string> Nasty = Gen.OneOf(
        Gen.String[0, 24],
        Gen.OneOf("", " ", "\"", "'", "\\", "=", "==", "=~", "~", "&", "%", "%zz", "+", "\0", "\u202e", "\ud800", "é", "😀", "\r\n", "\t",
            "(a+)+$", "[", "(?<n>", "^.*", "a{999999}", "9999999999999999999999", "-1", "0", "true", "false", "#", "+/#", "a/+/b"));

    private static readonly string[] Fields =
    [
        "client_id", "user", "topic", "qos", "is_online", "peer_host", "peer_port", "queue_started_at", "session_started_at",
        "node", "mountpoint", "offline_messages", "online_messages", "msg_ref", "payload", "clean_session", "no_such_field", "",
    ];

    private static readonly Gen<string> Flag = Gen.Select(Gen.OneOf(Fields), Gen.OneOf("", "=", "!=", "=~", "!~", ">", "<", ">=", "<=", "=="), Nasty,
        (field, op, value) => op.Length == 0 ? "--" + field : "--" + field + op + value);

    private static readonly Gen<string> Word = Gen.Frequency(
        (6, Flag),
        (2, Nasty),
        (1, Gen.OneOf("--limit=5", "--limit=0", "--limit=-3", "--limit=x", "--limit", "--rowtimeout=50", "--rowtimeout=-1", "vmq-admin", "session", "show", "--", "-", "--format=human")));

    private static readonly Gen<string[]> Words = Word.Array[0, 8];

    private static readonly SessionStore Store = SeededStore();

    [Fact]
    public void Query_GeneratedWords_NeverThrow_AcceptedOnesRoundTripAndRun()
    {
        var accepted = 0L;
        Words.Sample(words => Bounded(() =>
        {
            var parsed = QueryParser.ParseArguments(words);
            if (!parsed.IsSuccess)
            {
                Assert.False(string.IsNullOrWhiteSpace(parsed.Error));
                return;
            }
            Interlocked.Increment(ref accepted);
            var text = parsed.Value.ToText();
            var again = QueryParser.ParseText(text);
            Assert.True(again.IsSuccess, $"{text} did not read back: {again.Error}");
            Assert.Equal(parsed.Value, again.Value);
            var run = QueryEngine.Run(parsed.Value, Store);
            Assert.True(run.IsSuccess || !string.IsNullOrWhiteSpace(run.Error));
        }), iter: Iterations, print: words => string.Join(" | ", words.Select(Escape)));
        // The generator must reach the accepted side often enough for the round trip to mean something.
        Assert.True(accepted > Iterations / 10, $"only {accepted} of {Iterations} generated queries were accepted");
    }

    [Fact]
    public void Query_GeneratedTextAndQueryStrings_NeverThrow() =>
        Gen.Select(Words, Gen.String[0, 40]).Sample((words, raw) => Bounded(() =>
        {
            foreach (var result in (Result<SessionQuery>[])[
                QueryParser.ParseText(string.Join(' ', words)),
                QueryParser.ParseText(raw),
                QueryParser.ParseQueryString(string.Join('&', words)),
                QueryParser.ParseQueryString(raw)])
            {
                Assert.True(result.IsSuccess || !string.IsNullOrWhiteSpace(result.Error));
            }
        }), iter: Iterations);

    private static readonly Gen<string> AclLine = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf("topic", "pattern", "topic read", "topic write", "pattern read", "pattern write", "topic readwrite", "topic deny", "topic  read"),
            Gen.OneOf("a/#", "+/+/x", "%c/%u/#", "#", "a/#/b", "", "x\0y", "$SYS/#", "very/long/" + new string('l', 300)), (kind, topic) => kind + " " + topic)),
        (2, Gen.Select(Gen.OneOf("user ", "user", "USER ", "user  "), Nasty, (keyword, name) => keyword + name)),
        (1, Gen.OneOf("", "# comment", "   ", "\t")),
        (2, Nasty));

    [Fact]
    public void AclFile_GeneratedLines_NeverThrow_ErrorsNameALine_ChecksNeverThrow() =>
        Gen.Select(AclLine.Array[0, 12], Gen.OneOf("\n", "\r\n"), Nasty, Nasty).Sample((lines, newline, user, topic) => Bounded(() =>
        {
            var text = string.Join(newline, lines);
            var parsed = AclFile.Parse(text);
            if (!parsed.IsSuccess)
            {
                Assert.NotEmpty(parsed.Errors);
                Assert.All(parsed.Errors, error =>
                {
                    Assert.InRange(error.Line, 1, LineCount(text));
                    Assert.False(string.IsNullOrWhiteSpace(error.Message));
                });
                return;
            }
            foreach (var access in (AclAccess[])[AclAccess.Read, AclAccess.Write])
            {
                parsed.Value!.IsAllowed(access, user, "client-" + user, "", topic);
                parsed.Value.IsAllowed(access, null, user, "", topic);
            }
        }), iter: Iterations);

    private static readonly Gen<string> PasswordLine = Gen.Frequency(
        (3, Gen.Select(Nasty, Gen.OneOf("$6$", "$6$salt$", "$7$", "$6$$", "$"), Gen.String[0, 30], (user, scheme, rest) => user + ":" + scheme + rest)),
        (1, Gen.OneOf("", ":", "alice:", ":secret", "# comment", "alice")),
        (1, Nasty));

    [Fact]
    public void PasswordFile_GeneratedLines_NeverThrow_ErrorsNameALine_VerifyNeverThrows() =>
        Gen.Select(PasswordLine.Array[0, 10], Nasty, Nasty).Sample((lines, user, password) => Bounded(() =>
        {
            var text = string.Join('\n', lines);
            var parsed = PasswordFile.Parse(text);
            if (!parsed.IsSuccess)
            {
                Assert.All(parsed.Errors, error =>
                {
                    Assert.InRange(error.Line, 1, LineCount(text));
                    Assert.False(string.IsNullOrWhiteSpace(error.Message));
                });
                Assert.NotEmpty(parsed.Errors);
                return;
            }
            parsed.Value!.Verify(user, password);
            parsed.Value.Verify(null, null);
        }), iter: Iterations);

    private static readonly Gen<string> ActionWord = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf("client-id=", "username=", "--mountpoint=", "--cleanup=", "--client-id=", "client-id", "--cleanup", "mountpoint=", "=", ""), Nasty,
            (key, value) => key.EndsWith('=') ? key + value : key)),
        (1, Nasty));

    [Fact]
    public void ActionArguments_GeneratedWords_NeverThrow_RefusalsSayWhy() =>
        ActionWord.Array[0, 6].Sample(words => Bounded(() =>
        {
            var disconnect = ActionArguments.ParseDisconnect(words);
            Assert.True(disconnect.IsSuccess ? disconnect.Value.ClientId.Length > 0 : !string.IsNullOrWhiteSpace(disconnect.Error));
            var reauthorize = ActionArguments.ParseReauthorize(words);
            Assert.True(reauthorize.IsSuccess || !string.IsNullOrWhiteSpace(reauthorize.Error));
        }), iter: Iterations);

    // Generated values may hold line breaks of their own.
    private static int LineCount(string text) => text.Count(c => c is '\n' or '\r') + 1;

    private static void Bounded(Action check)
    {
        var started = Stopwatch.GetTimestamp();
        check();
        var took = Stopwatch.GetElapsedTime(started);
        Assert.True(took < MaxPerCase, $"one case took {took.TotalMilliseconds:F0} ms");
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) || char.IsSurrogate(c) || c is '\u202e' ? $"\\u{(int)c:x4}" : c.ToString()));

    /// <summary>A few queues with subscriptions and messages for the accepted queries to run on.</summary>
    private static SessionStore SeededStore()
    {
        var store = new SessionStore("props@localhost");
        for (var i = 0; i < 20; i++)
        {
            var key = new Dashboard.Core.Sessions.QueueKey("", $"client-{i}");
            store.Apply(new ClientConnected(key, i % 2 == 0, i % 3 == 0 ? null : $"user{i}", "127.0.0.1", 1000 + i, 4 + (i % 2)));
            store.Apply(new SubscriptionAdded(key, new Dashboard.Core.Sessions.Subscription($"a/{i}/#", i % 3, null, null)));
            store.Apply(new MessageQueued(key, new Dashboard.Core.Sessions.QueuedMessage($"m{i}", 1, $"a/{i}/x", false, new byte[] { 1, 2, (byte)i })));
        }
        return store;
    }
}
