using System.Globalization;
using System.Text.Json;
using Dashboard.Core.Output;
using Dashboard.Core.Query;
using Dashboard.Security.Data;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Security;

/// <summary>
/// The audit log in SQLite. <see cref="Append(string, string, string, string, string)"/> returns only after the entry is committed, so an action
/// reported done is on disk even if the app stops the next instant. The stores write their entries in
/// the same transaction as the change they record: a change without its entry cannot exist.
/// </summary>
public sealed class AuditLog(SecurityDatabase database, TimeProvider time)
{
    private static readonly string[] CsvColumns = ["id", "time", "actor", "action", "target", "parameters", "result"];

    /// <summary>Writes an entry and returns it once committed; a database that refuses it throws <see cref="SecurityDatabaseException"/>.</summary>
    public AuditEntry Append(string actor, string action, string target, string parameters, string result) => database.Write(() =>
    {
        using var db = database.CreateContext();
        var row = Add(db, actor, action, target, parameters, result);
        db.SaveChanges();
        return ToEntry(row);
    });

    /// <summary>Why an entry could not be written now (read-only, locked), or null: checked before actions that are audited after.</summary>
    public string? WriteProblem() => database.WriteProblem();

    /// <summary>Adds an entry to the caller's context: it is written by the same <c>SaveChanges</c>, in the same transaction, as the change it describes.</summary>
    internal AuditRow Add(SecurityDbContext db, string actor, string action, string target, string parameters, string result)
    {
        var row = new AuditRow
        {
            // Stored as Unix milliseconds; the entry returned says what a later read will.
            Time = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()),
            Actor = actor,
            Action = action,
            Target = target,
            Parameters = parameters,
            Result = result,
        };
        db.Audit.Add(row);
        return row;
    }

    private static AuditEntry ToEntry(AuditRow row) => new(row.Id, row.Time, row.Actor, row.Action, row.Target, row.Parameters, row.Result);

    /// <summary>The entries matching every filter that is set, newest first, at most <see cref="AuditQuery.Limit"/>.</summary>
    public Result<AuditQueryResult> Query(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > AuditQuery.MaxLimit)
        {
            return Result<AuditQueryResult>.Fail($"The limit must be between 1 and {AuditQuery.MaxLimit} (got {query.Limit})");
        }
        if (query.From is { } from && query.To is { } to && from > to)
        {
            return Result<AuditQueryResult>.Fail("The time range ends before it starts");
        }
        using var db = database.CreateContext();
        var rows = db.Audit.AsNoTracking();
        if (query.Actor is { } actor)
        {
            rows = rows.Where(row => row.Actor == actor);
        }
        if (query.Action is { } action)
        {
            rows = rows.Where(row => row.Action == action);
        }
        if (query.Target is { } target)
        {
            rows = rows.Where(row => row.Target == target);
        }
        if (query.From is { } start)
        {
            rows = rows.Where(row => row.Time >= start);
        }
        if (query.To is { } end)
        {
            rows = rows.Where(row => row.Time < end);
        }
        // One row past the limit says whether the limit cut the answer.
        var entries = rows.OrderByDescending(row => row.Time).ThenByDescending(row => row.Id)
            .Take(query.Limit + 1).AsEnumerable().Select(ToEntry).ToList();
        var limitReached = entries.Count > query.Limit;
        if (limitReached)
        {
            entries.RemoveAt(entries.Count - 1);
        }
        return Result<AuditQueryResult>.Ok(new AuditQueryResult(entries, limitReached));
    }

    /// <summary>
    /// Entries as CSV through Core's writer, which keeps a leading <c>= + - @</c>, tab or CR of any text
    /// cell from turning into a spreadsheet formula (actors and targets can be attacker-chosen).
    /// </summary>
    public static string ToCsv(IEnumerable<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var rows = entries.Select(entry => new object?[]
        {
            entry.Id,
            entry.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            entry.Actor, entry.Action, entry.Target, entry.Parameters, entry.Result,
        }).ToList();
        return CsvOutput.Render(new QueryResult(CsvColumns, rows, false, TimeSpan.Zero));
    }

    /// <summary>Action arguments as the compact JSON object stored in <see cref="AuditEntry.Parameters"/>.</summary>
    public static string Parameters(params (string Name, object? Value)[] values) =>
        values.Length == 0 ? "" : JsonSerializer.Serialize(values.ToDictionary(v => v.Name, v => v.Value));
}
