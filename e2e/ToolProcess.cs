using System.Diagnostics;

namespace Dashboard.E2E;

/// <summary>An outside server a test runs (nginx, Prometheus): started with its output drained, then polled until it answers.</summary>
internal static class ToolProcess
{
    /// <summary>
    /// Starts <paramref name="info"/> and waits up to 30 s for <paramref name="ready"/>. Returns the running
    /// process, or null when it exited first (most likely its port was taken in between: the caller tries
    /// another); throws <see cref="TimeoutException"/> when it runs but never answers.
    /// </summary>
    public static async Task<Process?> StartUntilReadyAsync(ProcessStartInfo info, Func<Task<bool>> ready, string what)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = Process.Start(info) ?? throw new InvalidOperationException(what + " did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                process.Dispose();
                return null;
            }
            if (await ready())
            {
                return process;
            }
            await Task.Delay(200);
        }
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        throw new TimeoutException($"{what} did not answer within 30 s.");
    }
}
