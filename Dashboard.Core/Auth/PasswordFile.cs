using System.Security.Cryptography;
using System.Text;
using Dashboard.Core.Query;

namespace Dashboard.Core.Auth;

/// <summary>
/// A parsed VerneMQ password file (<c>vmq.passwd</c>): lines <c>user:$6$salt$hash</c> where
/// hash = base64(SHA-512(password UTF-8 bytes followed by the decoded salt bytes)).
/// </summary>
public sealed class PasswordFile
{
    /// <summary>Bytes of random salt for a new line, as VerneMQ's <c>vmq-passwd</c> makes.</summary>
    public const int SaltLength = 12;

    private const string HashPrefix = "$6$";

    // Serialises SetUser's read-modify-write within this process; other processes are not covered.
    private static readonly Lock SetUserLock = new();

    // Verify hashes against this for an unknown user too, so the time taken does not reveal which users exist.
    private static readonly Entry DummyEntry = new(new byte[SaltLength], new byte[SHA512.HashSizeInBytes]);

    private readonly Dictionary<string, Entry> _entries;

    private PasswordFile(Dictionary<string, Entry> entries)
    {
        _entries = entries;
    }

    /// <summary>The file with no users: what applies before any valid file was loaded (fail closed).</summary>
    public static PasswordFile Empty { get; } = new(new Dictionary<string, Entry>(StringComparer.Ordinal));

    /// <summary>The user names in the file.</summary>
    public IReadOnlyCollection<string> Users => _entries.Keys;

    /// <summary>
    /// Parses the text of a vmq.passwd file. <c>#</c> comments and blank lines are ignored; CRLF and
    /// whitespace around lines are accepted; every malformed line is reported with its number.
    /// A user defined twice is an error, since it is unclear which password should hold.
    /// </summary>
    public static AuthParseResult<PasswordFile> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var definedOn = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new List<AuthFileError>();
        foreach (var (lineNumber, line) in AuthText.ContentLines(text))
        {
            var (user, error, entry) = ParseEntry(line);
            if (error is not null)
            {
                errors.Add(new AuthFileError(lineNumber, error));
            }
            else if (definedOn.TryGetValue(user!, out var firstLine))
            {
                errors.Add(new AuthFileError(lineNumber, $"user {AuthText.Quote(user!)} is already defined on line {firstLine}"));
            }
            else
            {
                definedOn[user!] = lineNumber;
                entries[user!] = entry!;
            }
        }
        return errors.Count == 0
            ? AuthParseResult<PasswordFile>.Ok(new PasswordFile(entries))
            : AuthParseResult<PasswordFile>.Fail(errors);
    }

    private static (string? User, string? Error, Entry? Entry) ParseEntry(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return (null, "expected \"user:$6$salt$hash\" (no ':' found)", null);
        }
        var user = line[..colon].Trim();
        if (user.Length == 0)
        {
            return (null, "the user name before ':' is empty", null);
        }
        var secret = line[(colon + 1)..].Trim();
        if (!secret.StartsWith(HashPrefix, StringComparison.Ordinal))
        {
            return (null, $"the password of {AuthText.Quote(user)} must start with \"$6$\" (SHA-512)", null);
        }
        var parts = secret[HashPrefix.Length..].Split('$');
        if (parts.Length != 2)
        {
            return (null, $"the password of {AuthText.Quote(user)} must be \"$6$salt$hash\"", null);
        }
        var salt = DecodeBase64(parts[0]);
        if (salt is null || salt.Length == 0)
        {
            return (null, $"the salt of {AuthText.Quote(user)} is not valid base64", null);
        }
        var hash = DecodeBase64(parts[1]);
        if (hash is null)
        {
            return (null, $"the hash of {AuthText.Quote(user)} is not valid base64", null);
        }
        if (hash.Length != SHA512.HashSizeInBytes)
        {
            return (null, $"the hash of {AuthText.Quote(user)} is {hash.Length} bytes; SHA-512 gives {SHA512.HashSizeInBytes}", null);
        }
        return (user, null, new Entry(salt, hash));
    }

    private static byte[]? DecodeBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    /// <summary>
    /// Whether <paramref name="password"/> is <paramref name="user"/>'s password. An unknown user, an
    /// anonymous client (null user) or a missing password is refused. The comparison is constant-time.
    /// </summary>
    public bool Verify(string? user, string? password)
    {
        Entry? entry = null;
        var known = user is not null && _entries.TryGetValue(user, out entry);
        var target = entry ?? DummyEntry;
        var computed = Hash(password ?? "", target.Salt);
        var equal = CryptographicOperations.FixedTimeEquals(computed, target.Hash);
        return known && password is not null && equal;
    }

    /// <summary>
    /// A vmq.passwd line for a new user with a fresh random 12-byte salt, or an error when the user name
    /// cannot be stored (empty, surrounding whitespace, ':', a line break, or a leading '#').
    /// </summary>
    public static Result<string> CreateLine(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return CreateLine(user, password, RandomNumberGenerator.GetBytes(SaltLength));
    }

    /// <summary>A line with the given salt; tests use it to check known vectors.</summary>
    internal static Result<string> CreateLine(string user, string password, ReadOnlySpan<byte> salt)
    {
        var invalid = CheckUserName(user);
        if (invalid is not null)
        {
            return Result<string>.Fail(invalid);
        }
        var hash = Hash(password, salt);
        return Result<string>.Ok($"{user}:{HashPrefix}{Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    private static string? CheckUserName(string? user)
    {
        if (string.IsNullOrEmpty(user))
        {
            return "The user name is empty.";
        }
        if (user.Contains(':', StringComparison.Ordinal))
        {
            return $"The user name {AuthText.Quote(user)} contains ':', which separates the name from the hash.";
        }
        if (user.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            return "The user name contains a line break.";
        }
        if (char.IsWhiteSpace(user[0]) || char.IsWhiteSpace(user[^1]))
        {
            // The parser trims lines, so such a name would not come back as written.
            return $"The user name {AuthText.Quote(user)} starts or ends with whitespace.";
        }
        if (user[0] == '#')
        {
            return $"The user name {AuthText.Quote(user)} starts with '#', which would make its line a comment.";
        }
        return null;
    }

    private static byte[] Hash(string password, ReadOnlySpan<byte> salt)
    {
        var input = new byte[Encoding.UTF8.GetByteCount(password) + salt.Length];
        var written = Encoding.UTF8.GetBytes(password, input);
        salt.CopyTo(input.AsSpan(written));
        var hash = SHA512.HashData(input);
        CryptographicOperations.ZeroMemory(input);
        return hash;
    }

    /// <summary>
    /// Adds <paramref name="user"/> to the password file at <paramref name="path"/>, or replaces their line
    /// in place, keeping every other line and comment and the file's line endings. Creates the file
    /// (owner read/write only on Unix) when missing. Writes a temporary file beside it and moves it over
    /// the original, so a reader never sees half a file. Refuses to touch a file that has malformed lines.
    /// </summary>
    public static Result<PasswordFileUpdate> SetUser(string path, string user, string password)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(password);
        var newLine = CreateLine(user, password);
        if (!newLine.IsSuccess)
        {
            return Result<PasswordFileUpdate>.Fail(newLine.Error!);
        }
        lock (SetUserLock)
        {
            var fullPath = Path.GetFullPath(path);
            string existing;
            try
            {
                existing = File.Exists(fullPath) ? File.ReadAllText(fullPath) : "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Result<PasswordFileUpdate>.Fail($"Could not read {fullPath}: {e.Message}");
            }
            var parsed = Parse(existing);
            if (!parsed.IsSuccess)
            {
                return Result<PasswordFileUpdate>.Fail(
                    $"{fullPath} has malformed lines; fix them first: {string.Join("; ", parsed.Errors)}");
            }
            var lineBreak = existing.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
            var lines = AuthText.Lines(existing);
            var update = PasswordFileUpdate.Added;
            for (var i = 0; i < lines.Count; i++)
            {
                if (IsLineOf(lines[i], user))
                {
                    lines[i] = newLine.Value;
                    update = PasswordFileUpdate.Replaced;
                }
            }
            if (update == PasswordFileUpdate.Added)
            {
                lines.Add(newLine.Value);
            }
            var content = string.Join(lineBreak, lines) + lineBreak;
            var written = WriteAtomically(fullPath, content);
            return written is null
                ? Result<PasswordFileUpdate>.Ok(update)
                : Result<PasswordFileUpdate>.Fail(written);
        }
    }

    private static bool IsLineOf(string line, string user)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed[0] == '#')
        {
            return false;
        }
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && trimmed[..colon].Trim() == user;
    }

    private static string? WriteAtomically(string fullPath, string content)
    {
        var directory = Path.GetDirectoryName(fullPath)!;
        // Hidden and distinctly named, so a watcher filtered to the file's name ignores it until the move.
        var temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = File.Exists(fullPath)
                    ? File.GetUnixFileMode(fullPath)
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The write already failed; a stray temp file is the lesser problem.
            }
            return $"Could not write {fullPath}: {e.Message}";
        }
    }

    private sealed record Entry(byte[] Salt, byte[] Hash);
}
