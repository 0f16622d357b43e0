using Dashboard.Cli;
using Dashboard.Core.Auth;

namespace Dashboard.Tests.Cli;

public sealed class PasswdCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("passwd-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Output, string Error) Run(string password, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PasswdCommand.Run(args, new StringReader(password + "\n"), output, error, interactive: false);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Run_AddThenChange_WritesVerneMqLinesThatVerify()
    {
        var path = Path.Combine(_folder, "vmq.passwd");

        var added = Run("first", path, "alice");
        var other = Run("other", path, "bob");
        var changed = Run("second", path, "alice");

        Assert.Equal((0, $"Added alice to {path}\n"), (added.Code, added.Output.ReplaceLineEndings("\n")));
        Assert.Equal(0, other.Code);
        Assert.Equal((0, $"Changed the password of alice in {path}\n"), (changed.Code, changed.Output.ReplaceLineEndings("\n")));
        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^alice:\$6\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$", lines[0]);
        var file = PasswordFile.Parse(File.ReadAllText(path)).Value!;
        Assert.True(file.Verify("alice", "second"));
        Assert.False(file.Verify("alice", "first"));
        Assert.True(file.Verify("bob", "other"));
    }

    [Fact]
    public void Run_CreateFlag_StartsANewFile()
    {
        var path = Path.Combine(_folder, "vmq.passwd");
        Run("x", path, "old");

        Assert.Equal(0, Run("y", "-c", path, "new").Code);

        Assert.Equal(["new"], PasswordFile.Parse(File.ReadAllText(path)).Value!.Users);
    }

    [Theory]
    [InlineData("only-one-arg")]
    [InlineData("-x file user")]
    [InlineData("")]
    public void Run_BadArguments_PrintsUsageAndChangesNothing(string words)
    {
        var (code, _, error) = Run("pw", words.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, code);
        Assert.StartsWith("Usage: Dashboard passwd", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Run_BadUserNameOrEmptyPassword_SaysWhyAndChangesNothing()
    {
        var path = Path.Combine(_folder, "vmq.passwd");

        var badUser = Run("pw", path, "a:b");
        var noPassword = Run("", path, "alice");

        Assert.Equal(1, badUser.Code);
        Assert.NotEmpty(badUser.Error);
        Assert.Equal((1, "No password given: nothing changed.\n"), (noPassword.Code, noPassword.Error.ReplaceLineEndings("\n")));
        Assert.False(File.Exists(path));
    }
}
