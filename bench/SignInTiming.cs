using System.Diagnostics;
using System.Globalization;
using Dashboard.Security;

namespace Dashboard.Bench;

/// <summary>
/// Whether a wrong password for a known name takes as long as one for an unknown name (`signin-timing`
/// mode, docs/security.md): the production hasher, a real SQLite file, alternating known/unknown, each
/// attempt from its own address so that no wait starts.
/// </summary>
internal static class SignInTiming
{
    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var folder = Path.Combine(Path.GetTempPath(), "signin-timing-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var database = new SecurityDatabase(folder);
            var users = new UserStore(database, new AuditLog(database, TimeProvider.System), TimeProvider.System);
            users.Add("alice", UserRole.Viewer, "correct horse battery", "bench");
            var known = new List<double>();
            var unknown = new List<double>();
            for (var i = -10; i < rounds; i++)
            {
                var address = $"10.0.{(i + 10) / 250}.{(i + 10) % 250}";
                var a = Time(() => users.VerifyPassword("alice", "wrong password", address));
                var b = Time(() => users.VerifyPassword("mallory", "wrong password", address));
                if (i >= 0)
                {
                    known.Add(a);
                    unknown.Add(b);
                }
            }
            Console.WriteLine($"{rounds} rounds, wrong password, production hasher");
            Console.WriteLine("| name | p10 ms | median ms | p90 ms |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine($"| known (alice) | {P(known, 0.1):F2} | {P(known, 0.5):F2} | {P(known, 0.9):F2} |");
            Console.WriteLine($"| unknown (mallory) | {P(unknown, 0.1):F2} | {P(unknown, 0.5):F2} | {P(unknown, 0.9):F2} |");
            Console.WriteLine($"median difference: {(P(known, 0.5) - P(unknown, 0.5)) / P(known, 0.5):P1} of the known name's");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double P(List<double> values, double share)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, share * sorted.Count)];
    }
}
