using System.Collections.Concurrent;
using Dashboard.Security.Data;
using Microsoft.EntityFrameworkCore;

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
        using var db = _database.CreateContext();
        var now = time.GetUtcNow();
        try
        {
            db.EndedSignIns.Where(ended => ended.Until < now).ExecuteDelete();
        }
        catch (Exception exception) when (_database.Describe(exception) is not null)
        {
            // A database that is read-only (or locked) at start keeps its expired rows until a later start.
        }
        foreach (var ended in db.EndedSignIns.AsNoTracking())
        {
            _ended[ended.Id] = ended.Until;
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
            using var db = _database.CreateContext();
            using var transaction = db.Database.BeginTransaction();
            if (db.EndedSignIns.Find(id) is { } known)
            {
                // Ended twice (two tabs): remembered as long as the later copy could live.
                known.Until = known.Until > until ? known.Until : until;
            }
            else
            {
                db.EndedSignIns.Add(new EndedSignInRow { Id = id, Until = until });
            }
            db.SaveChanges();
            transaction.Commit();
            return true;
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
