using System.Globalization;
using System.Text.Json;
using Dashboard.Core.Output;
using Dashboard.Core.Query;
using Microsoft.Data.Sqlite;

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
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var entry = Append(connection, transaction, actor, action, target, parameters, result);
        transaction.Commit();
        return entry;
    });

    /// <summary>Why an entry could not be written now (read-only, locked), or null: checked before actions that are audited after.</summary>
    public string? WriteProblem() => database.WriteProblem();

    /// <summary>Writes an entry inside the caller's transaction; it commits with the change it describes.</summary>
    internal AuditEntry Append(SqliteConnection connection, SqliteTransaction transaction,
        string actor, string action, string target, string parameters, string result)
    {
        var now = time.GetUtcNow();
        var milliseconds = now.ToUnixTimeMilliseconds();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO audit (time, actor, action, target, parameters, result)
            VALUES ($time, $actor, $action, $target, $parameters, $result)
            RETURNING id;
            """;
        command.Parameters.AddWithValue("$time", milliseconds);
        command.Parameters.AddWithValue("$actor", actor);
        command.Parameters.AddWithValue("$action", action);
        command.Parameters.AddWithValue("$target", target);
        command.Parameters.AddWithValue("$parameters", parameters);
        command.Parameters.AddWithValue("$result", result);
        var id = (long)command.ExecuteScalar()!;
        return new AuditEntry(id, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), actor, action, target, parameters, result);
    }

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
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        var where = new List<string>();
        void Filter(string column, string op, string name, object? value)
        {
            if (value is not null)
            {
                where.Add($"{column} {op} {name}");
                command.Parameters.AddWithValue(name, value);
            }
        }
        Filter("actor", "=", "$actor", query.Actor);
        Filter("action", "=", "$action", query.Action);
        Filter("target", "=", "$target", query.Target);
        Filter("time", ">=", "$from", query.From?.ToUnixTimeMilliseconds());
        Filter("time", "<", "$to", query.To?.ToUnixTimeMilliseconds());
        // One row past the limit says whether the limit cut the answer.
        command.CommandText = $"""
            SELECT id, time, actor, action, target, parameters, result FROM audit
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY time DESC, id DESC LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        var entries = new List<AuditEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(new AuditEntry(
                reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6)));
        }
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
