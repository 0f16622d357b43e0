using System.Collections.Concurrent;

namespace Dashboard.Security;

/// <summary>
/// Sign-ins ended by signing out (docs/security.md). Each sign-in cookie carries its own id
/// (<see cref="DashboardClaims.SignInId"/>); signing out records it here until the cookie would have
/// expired anyway, so a copy of the cookie replayed elsewhere — another tab, a stolen copy — is refused
/// on its next request, and an open page within the revalidation interval. Kept in <c>dashboard.db</c>
/// so a restart does not bring ended sign-ins back; read into memory at start.
/// </summary>
public sealed class EndedSignIns
{
    private readonly SecurityDatabase _database;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _ended = new(StringComparer.Ordinal);

    public EndedSignIns(SecurityDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        using var connection = _database.Open();
        try
        {
            using var prune = connection.CreateCommand();
            prune.CommandText = "DELETE FROM ended_sign_ins WHERE until < $now;";
            prune.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
            prune.ExecuteNonQuery();
        }
        catch (Microsoft.Data.Sqlite.SqliteException exception) when (_database.Describe(exception) is not null)
        {
            // A database that is read-only (or locked) at start keeps its expired rows until a later start.
        }
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT id, until FROM ended_sign_ins;";
        using var reader = read.ExecuteReader();
        while (reader.Read())
        {
            _ended[reader.GetString(0)] = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
        }
    }

    /// <summary>
    /// Ends the sign-in <paramref name="id"/>; remembered until <paramref name="until"/> (its cookie's expiry).
    /// Also ended in memory when the database refuses the row (<see cref="SecurityDatabaseException"/>, thrown
    /// after): this process still refuses the cookie, but a restart would forget it.
    /// </summary>
    public void End(string id, DateTimeOffset until)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        _ended[id] = until;
        _database.Write(() =>
        {
            using var connection = _database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO ended_sign_ins (id, until) VALUES ($id, $until) ON CONFLICT (id) DO UPDATE SET until = max(until, $until);";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery();
        });
        if (_ended.Count % 1024 == 0)
        {
            Forget();
        }
    }

    public bool IsEnded(string id) => _ended.ContainsKey(id);

    private void Forget()
    {
        var now = _time.GetUtcNow();
        foreach (var (id, until) in _ended)
        {
            if (until < now)
            {
                _ended.TryRemove(id, out _);
            }
        }
    }
}
