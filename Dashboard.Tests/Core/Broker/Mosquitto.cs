using System.Diagnostics;

namespace Dashboard.Tests.Core.Broker;

/// <summary>Debian's mosquitto clients: MQTT peers nobody on this team wrote.</summary>
internal static class Mosquitto
{
    public static string Require(string tool)
    {
        var path = $"/usr/bin/{tool}";
        Assert.True(File.Exists(path), $"{path} is missing: install Debian's mosquitto-clients package (apt-get install -y mosquitto-clients); ./test.sh does this when it can.");
        return path;
    }

    public static Process Start(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(Require(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start");
    }

    /// <summary>Runs a tool to completion and returns its standard output; fails the test on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        using var process = Start(tool, arguments);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
        return await output;
    }

    /// <summary>Stops a long-running client the way Ctrl+C does, so it sends DISCONNECT.</summary>
    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill!.WaitForExitAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        }
    }
}
