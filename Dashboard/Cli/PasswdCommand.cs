using Dashboard.Core.Auth;

namespace Dashboard.Cli;

/// <summary>
/// <c>Dashboard passwd [-c] FILE USER</c>: adds or replaces a user in a VerneMQ password file, like
/// <c>vmq-passwd</c>. The password is read from standard input (first line) or, at a terminal, asked
/// for twice without echo, so it never appears in the shell history or the process list.
/// </summary>
internal static class PasswdCommand
{
    public const string Usage = "Usage: Dashboard passwd [-c] <password file> <user name>\n  -c  create the file anew (replacing an existing one)\n  The password is read from standard input, or asked for at a terminal.";

    public static int Run(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error, bool interactive)
    {
        var create = args.Count > 0 && args[0] == "-c";
        var rest = create ? args.Skip(1).ToList() : [.. args];
        if (rest.Count != 2 || rest.Any(a => a.StartsWith('-')))
        {
            error.WriteLine(Usage);
            return 2;
        }
        var (path, user) = (rest[0], rest[1]);
        var password = interactive ? Prompt(output, error) : input.ReadLine();
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("No password given: nothing changed.");
            return 1;
        }
        if (create && File.Exists(path))
        {
            File.Delete(path);
        }
        var result = PasswordFile.SetUser(path, user, password);
        if (!result.IsSuccess)
        {
            error.WriteLine(result.Error);
            return 1;
        }
        output.WriteLine(result.Value == PasswordFileUpdate.Added ? $"Added {user} to {path}" : $"Changed the password of {user} in {path}");
        return 0;
    }

    private static string? Prompt(TextWriter output, TextWriter error)
    {
        var first = ReadHidden(output, "Password: ");
        var second = ReadHidden(output, "Reenter password: ");
        if (first != second)
        {
            error.WriteLine("The passwords do not match: nothing changed.");
            return null;
        }
        return first;
    }

    private static string ReadHidden(TextWriter output, string prompt)
    {
        output.Write(prompt);
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                output.WriteLine();
                return text.ToString();
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
