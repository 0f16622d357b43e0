namespace Dashboard.Cli;

/// <summary>Commands the Dashboard executable runs instead of starting the web app.</summary>
internal static class CommandLine
{
    public static bool TryRun(string[] args, out int exitCode)
    {
        switch (args)
        {
            case ["passwd", .. var rest]:
                exitCode = PasswdCommand.Run(rest, Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected);
                return true;
            case ["session", .. var rest]:
                exitCode = SessionClient.RunAsync(rest, Environment.GetEnvironmentVariable("DASHBOARD_URL"),
                    Environment.GetEnvironmentVariable("DASHBOARD_API_KEY"), Console.Out, Console.Error).GetAwaiter().GetResult();
                return true;
            default:
                exitCode = 0;
                return false;
        }
    }
}
