using Dashboard.Cli;
using Dashboard.Hosting;

// The executable doubles as a command-line tool: `Dashboard passwd ...` edits a password file and
// `Dashboard session ...` talks to a running dashboard.
if (CommandLine.TryRun(args, out var exitCode))
{
    return exitCode;
}

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddDashboard();
    var app = builder.Build();
    app.UseDashboard();
    app.Run();
}
catch (Exception exception) when (SettingProblems.Of(exception) is { Count: > 0 } problems)
{
    // A setting that cannot be used (a value, a certificate file): a line naming it, no stack trace.
    foreach (var problem in problems)
    {
        Console.Error.WriteLine(problem);
    }
    return SettingProblems.ExitCode;
}
return 0;

// Visible to WebApplicationFactory<Program> in the end-to-end tests.
public partial class Program;
