using System.Globalization;
using System.Runtime.InteropServices;

namespace Dashboard.E2E;

/// <summary>
/// Runs this test process's threads at a lower CPU priority (a higher nice value) while it generates load,
/// so that on the runner's two cores the MQTT clients of a storm stand behind the app and the browser,
/// as devices on other machines would, instead of taking a third of the cores the measured click needs.
/// </summary>
/// <remarks>
/// Linux keeps a nice value per thread, and a new thread starts with its creator's: lowering every thread
/// of this process once covers the thread pool's later threads too, while the app and Chromium, started
/// as child processes before, keep theirs. <see cref="Dispose"/> puts the threads back where the system lets
/// it (raising a priority again needs <c>CAP_SYS_NICE</c>; without it the rest of the run stays lower,
/// which only makes the tests' own side yield to the apps they start).
/// </remarks>
internal sealed class LoadGeneratorPriority : IDisposable
{
    private const int PrioProcess = 0;

    private LoadGeneratorPriority(int lowered, int nice)
    {
        Lowered = lowered;
        Nice = nice;
    }

    /// <summary>How many of this process's threads were lowered.</summary>
    public int Lowered { get; }

    public int Nice { get; }

    /// <summary>Gives every thread of this process the nice value <paramref name="nice"/>.</summary>
    public static LoadGeneratorPriority Lower(int nice) => new(SetAll(nice), nice);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Lowered} threads of the test process at nice {Nice}");

    public void Dispose() => SetAll(0);

    private static int SetAll(int nice)
    {
        var done = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            // A thread may end between the listing and the call; that one needs nothing.
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid)
                && SetPriority(PrioProcess, tid, nice) == 0)
            {
                done++;
            }
        }
        return done;
    }

    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int prio);
}
