using System.Security.Cryptography;
using System.Text;
using Dashboard.Core.Auth;

namespace Dashboard.Tests.Core.Auth;

public class PasswordFileTests
{
    private static readonly byte[] FixedSalt = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    // Computed outside .NET (Python hashlib) from VerneMQ's formula (docs/broker.md#who-may-connect), salt bytes 1..12.
    private const string PasswordVector =
        "alice:$6$AQIDBAUGBwgJCgsM$VAE4iiG4X8R0u8r7L6jZAUj8HcNCmOJkImcb96pY+1NnTcLQalDWS+60RpHU0swm8QXqKGBl65uEAilSL4tDvQ==";

    private const string NonAsciiVector =
        "bob:$6$AQIDBAUGBwgJCgsM$V6o3YGaaokZFgfF5evZZeHxjsCbUP3pitn8jJ6EoO3XSPQX48If0o61xaR1O04YXHdtm3qcRd8A92BX9OY0YnA==";

    private static PasswordFile ParseValid(string text)
    {
        var result = PasswordFile.Parse(text);
        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
        return result.Value!;
    }

    private static string SpecLine(string user, string password, byte[] salt)
    {
        // VerneMQ's formula, straight from System.Security.Cryptography.
        var hash = SHA512.HashData([.. Encoding.UTF8.GetBytes(password), .. salt]);
        return $"{user}:$6${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    [Fact]
    public void Verify_KnownVector_AcceptsThePasswordOnly()
    {
        var file = ParseValid(PasswordVector + "\n" + NonAsciiVector + "\n");

        Assert.True(file.Verify("alice", "password"));
        Assert.False(file.Verify("alice", "Password"));
        Assert.False(file.Verify("alice", "password "));
        Assert.True(file.Verify("bob", "pässwörd €"));
        Assert.False(file.Verify("bob", "password"));
    }

    [Fact]
    public void CreateLine_FixedSalt_MatchesSpecFormulaAndKnownVector()
    {
        var line = PasswordFile.CreateLine("alice", "password", FixedSalt);

        Assert.True(line.IsSuccess);
        Assert.Equal(SpecLine("alice", "password", FixedSalt), line.Value);
        Assert.Equal(PasswordVector, line.Value);
    }

    [Fact]
    public void Verify_LineFromSpecFormula_Accepted()
    {
        var salt = RandomNumberGenerator.GetBytes(PasswordFile.SaltLength);
        var file = ParseValid(SpecLine("carol", "s3cret!", salt));

        Assert.True(file.Verify("carol", "s3cret!"));
    }

    [Fact]
    public void CreateLine_RoundTrip_VerifiesAndUsesTwelveRandomSaltBytes()
    {
        var first = PasswordFile.CreateLine("dave", "hunter2");
        var second = PasswordFile.CreateLine("dave", "hunter2");

        var file = ParseValid(first.Value);
        Assert.True(file.Verify("dave", "hunter2"));
        Assert.False(file.Verify("dave", "hunter3"));
        Assert.NotEqual(first.Value, second.Value);
        var salt = first.Value.Split('$')[2];
        Assert.Equal(PasswordFile.SaltLength, Convert.FromBase64String(salt).Length);
    }

    [Fact]
    public void CreateLine_EmptyPassword_RoundTrips()
    {
        var file = ParseValid(PasswordFile.CreateLine("erin", "").Value);

        Assert.True(file.Verify("erin", ""));
        Assert.False(file.Verify("erin", null));
        Assert.False(file.Verify("erin", " "));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:b")]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData(" alice")]
    [InlineData("alice\t")]
    [InlineData("#alice")]
    public void CreateLine_UnstorableUserName_IsAnError(string user)
    {
        var line = PasswordFile.CreateLine(user, "pw");

        Assert.False(line.IsSuccess);
        Assert.False(string.IsNullOrEmpty(line.Error));
    }

    [Theory]
    [InlineData("Alice", "password")]
    [InlineData("mallory", "password")]
    [InlineData(null, "password")]
    [InlineData("alice", null)]
    public void Verify_UnknownUserOrMissingPassword_IsRefused(string? user, string? password)
    {
        var file = ParseValid(PasswordVector);

        Assert.False(file.Verify(user, password));
    }

    [Fact]
    public void Empty_VerifiesNobody()
    {
        Assert.Empty(PasswordFile.Empty.Users);
        Assert.False(PasswordFile.Empty.Verify("alice", "password"));
    }

    [Fact]
    public void Parse_CommentsBlankLinesCrlfAndWhitespace_Accepted()
    {
        var text = "\uFEFF# users\r\n\r\n   " + PasswordVector + "  \r\n\t# bob next\r\n\t" + NonAsciiVector + "\r\n";

        var file = ParseValid(text);

        Assert.Equal(["alice", "bob"], file.Users.Order(StringComparer.Ordinal));
        Assert.True(file.Verify("alice", "password"));
        Assert.True(file.Verify("bob", "pässwörd €"));
    }

    [Fact]
    public void Parse_EmptyText_NoUsers()
    {
        Assert.Empty(ParseValid("").Users);
        Assert.Empty(ParseValid("# only a comment\n\n").Users);
    }

    [Theory]
    [InlineData("alice", "no ':' found")]
    [InlineData(":$6$AQIDBAUGBwgJCgsM$aGFzaA==", "user name before ':' is empty")]
    [InlineData("alice:$1$AQIDBAUGBwgJCgsM$aGFzaA==", "must start with \"$6$\"")]
    [InlineData("alice:plaintext", "must start with \"$6$\"")]
    [InlineData("alice:$6$AQIDBAUGBwgJCgsM", "must be \"$6$salt$hash\"")]
    [InlineData("alice:$6$a$b$c", "must be \"$6$salt$hash\"")]
    [InlineData("alice:$6$not*base64$aGFzaA==", "salt of \"alice\" is not valid base64")]
    [InlineData("alice:$6$$aGFzaA==", "salt of \"alice\" is not valid base64")]
    [InlineData("alice:$6$AQIDBAUGBwgJCgsM$not*base64", "hash of \"alice\" is not valid base64")]
    [InlineData("alice:$6$AQIDBAUGBwgJCgsM$aGFzaA==", "is 4 bytes; SHA-512 gives 64")]
    public void Parse_MalformedLine_ReportsLineNumberAndReason(string line, string reason)
    {
        var result = PasswordFile.Parse("# header\n" + PasswordVector + "\n" + line + "\n");

        Assert.False(result.IsSuccess);
        Assert.Null(result.Value);
        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SameUserTwice_ReportsBothLines()
    {
        var other = PasswordFile.CreateLine("alice", "other").Value;

        var result = PasswordFile.Parse(PasswordVector + "\n\n" + other + "\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal("line 3: user \"alice\" is already defined on line 1", error.ToString());
    }

    [Fact]
    public void SetUser_MissingFile_CreatesItWithTheUser()
    {
        using var dir = new TempDirectory();
        var path = dir.File("vmq.passwd");

        var result = PasswordFile.SetUser(path, "alice", "password");

        Assert.Equal(PasswordFileUpdate.Added, result.Value);
        var file = ParseValid(File.ReadAllText(path));
        Assert.True(file.Verify("alice", "password"));
        Assert.EndsWith("\n", File.ReadAllText(path), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void SetUser_ExistingUser_ReplacesTheLineInPlaceKeepingTheRest()
    {
        using var dir = new TempDirectory();
        var path = dir.File("vmq.passwd");
        File.WriteAllText(path, "# team\n" + PasswordVector + "\n\n# robots\n" + NonAsciiVector + "\n");

        var result = PasswordFile.SetUser(path, "alice", "new password");

        Assert.Equal(PasswordFileUpdate.Replaced, result.Value);
        var lines = File.ReadAllText(path).Split('\n');
        Assert.Equal("# team", lines[0]);
        Assert.StartsWith("alice:$6$", lines[1], StringComparison.Ordinal);
        Assert.Equal(["", "# robots", NonAsciiVector, ""], lines[2..]);
        var file = ParseValid(File.ReadAllText(path));
        Assert.True(file.Verify("alice", "new password"));
        Assert.False(file.Verify("alice", "password"));
        Assert.True(file.Verify("bob", "pässwörd €"));
    }

    [Fact]
    public void SetUser_NewUserInCrlfFile_AppendsWithCrlf()
    {
        using var dir = new TempDirectory();
        var path = dir.File("vmq.passwd");
        File.WriteAllText(path, "# users\r\n" + PasswordVector);

        var result = PasswordFile.SetUser(path, "carol", "pw");

        Assert.Equal(PasswordFileUpdate.Added, result.Value);
        var text = File.ReadAllText(path);
        Assert.StartsWith("# users\r\n" + PasswordVector + "\r\ncarol:$6$", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.True(ParseValid(text).Verify("carol", "pw"));
    }

    [Fact]
    public void SetUser_ExistingFileMode_IsKept()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only.");
            return;
        }
        using var dir = new TempDirectory();
        var path = dir.File("vmq.passwd");
        File.WriteAllText(path, PasswordVector + "\n");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(path, mode);

        PasswordFile.SetUser(path, "bob", "pw");

        Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    [Fact]
    public void SetUser_LeavesNoTemporaryFiles()
    {
        using var dir = new TempDirectory();
        var path = dir.File("vmq.passwd");

        PasswordFile.SetUser(path, "alice", "a");
        PasswordFile.SetUser(path, "bob", "b");
        PasswordFile.SetUser(path, "alice", "c");

        Assert.Equal(["vmq.passwd"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal(["alice", "bob"], ParseValid(File.ReadAllText(path)).Users.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("a\nb")]
    public void SetUser_InvalidUserName_ErrorAndFileUntouched(string user)
    {
        using var dir = new TempDirectory();
        var path = dir.File("vmq.passwd");
        File.WriteAllText(path, PasswordVector + "\n");

        var result = PasswordFile.SetUser(path, user, "pw");

        Assert.False(result.IsSuccess);
        Assert.Equal(PasswordVector + "\n", File.ReadAllText(path));
    }

    [Fact]
    public void SetUser_MalformedFile_ErrorNamesTheLineAndFileUntouched()
    {
        using var dir = new TempDirectory();
        var path = dir.File("vmq.passwd");
        var content = PasswordVector + "\ngarbage\n";
        File.WriteAllText(path, content);

        var result = PasswordFile.SetUser(path, "bob", "pw");

        Assert.False(result.IsSuccess);
        Assert.Contains("line 2:", result.Error, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Fact]
    public void SetUser_MissingDirectory_IsAnErrorValue()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "no-such-dir", "vmq.passwd");

        var result = PasswordFile.SetUser(path, "alice", "pw");

        Assert.False(result.IsSuccess);
        Assert.Contains("Could not write", result.Error, StringComparison.Ordinal);
    }
}
