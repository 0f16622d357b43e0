using System.Globalization;
using Dashboard.Core.Blocks;
using Dashboard.Core.Query;

namespace Dashboard.Security;

/// <summary>
/// The client blocks in the security database (table <c>client_blocks</c>), each change committed with
/// its audit entry, and the broker's <see cref="ClientBlockList"/> kept equal to the table: loaded when
/// the store is made (before the broker takes clients) and replaced after every change. Expired blocks
/// stay in the table, listed as expired, until someone removes them; they no longer apply.
/// </summary>
public sealed class ClientBlockStore
{
    private readonly SecurityDatabase _database;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ClientBlockList _enforced;
    private readonly Lock _write = new();

    public ClientBlockStore(SecurityDatabase database, AuditLog audit, TimeProvider time, ClientBlockList enforced)
    {
        _database = database;
        _audit = audit;
        _time = time;
        _enforced = enforced;
        _enforced.Replace(List());
    }

    /// <summary>Every block, newest first, expired ones included.</summary>
    public IReadOnlyList<ClientBlock> List()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, kind, pattern, reason, expires, created, created_by FROM client_blocks ORDER BY id DESC;";
        using var reader = command.ExecuteReader();
        var blocks = new List<ClientBlock>();
        while (reader.Read())
        {
            // A row this build cannot read (a kind from a newer build) is left out rather than guessed at.
            if (!BlockKinds.TryParse(reader.GetString(1), out var kind))
            {
                continue;
            }
            blocks.Add(new ClientBlock(
                reader.GetInt64(0), kind, reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)), reader.GetString(6)));
        }
        return blocks;
    }

    /// <summary>
    /// Checks and stores a block with its <see cref="AuditActions.BlockAdd"/> entry, then enforces it.
    /// Refused, with a message and nothing changed: bad input, or a block in force with the same kind and pattern.
    /// </summary>
    public Result<ClientBlock> Add(string? kind, string? pattern, string? reason, DateTimeOffset? expires, string actor) =>
        _database.TryWrite(() => AddCore(kind, pattern, reason, expires, actor));

    private Result<ClientBlock> AddCore(string? kind, string? pattern, string? reason, DateTimeOffset? expires, string actor)
    {
        var now = _time.GetUtcNow();
        var checkedRequest = BlockRules.Validate(kind, pattern, reason, expires, now);
        if (!checkedRequest.IsSuccess)
        {
            return Result<ClientBlock>.Fail(checkedRequest.Error!);
        }
        var request = checkedRequest.Value;
        lock (_write)
        {
            if (List().FirstOrDefault(b => b.Kind == request.Kind && b.Pattern == request.Pattern && b.IsActive(now)) is { } existing)
            {
                return Result<ClientBlock>.Fail($"The {request.Kind.Label()} {request.Pattern} is already blocked (block {existing.Id})");
            }
            var created = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
            using var connection = _database.Open();
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO client_blocks (kind, pattern, reason, expires, created, created_by)
                VALUES ($kind, $pattern, $reason, $expires, $created, $by)
                RETURNING id;
                """;
            insert.Parameters.AddWithValue("$kind", request.Kind.Name());
            insert.Parameters.AddWithValue("$pattern", request.Pattern);
            insert.Parameters.AddWithValue("$reason", request.Reason);
            insert.Parameters.AddWithValue("$expires", (object?)request.Expires?.ToUnixTimeMilliseconds() ?? DBNull.Value);
            insert.Parameters.AddWithValue("$created", created.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$by", actor);
            var id = (long)insert.ExecuteScalar()!;
            var block = new ClientBlock(id, request.Kind, request.Pattern, request.Reason,
                request.Expires is { } until ? DateTimeOffset.FromUnixTimeMilliseconds(until.ToUnixTimeMilliseconds()) : null, created, actor);
            _audit.Append(connection, transaction, actor, AuditActions.BlockAdd, block.Pattern, Parameters(block),
                $"Blocked the {block.Kind.Label()} {block.Pattern} {Until(block.Expires)}");
            transaction.Commit();
            _enforced.Replace(List());
            return Result<ClientBlock>.Ok(block);
        }
    }

    /// <summary>Removes a block with its <see cref="AuditActions.BlockRemove"/> entry; clients it refused may connect again.</summary>
    public Result<ClientBlock> Remove(long id, string actor) =>
        _database.TryWrite(() => RemoveCore(id, actor));

    private Result<ClientBlock> RemoveCore(long id, string actor)
    {
        lock (_write)
        {
            if (List().FirstOrDefault(b => b.Id == id) is not { } block)
            {
                return Result<ClientBlock>.Fail($"No block {id}: it was removed already, or never existed");
            }
            using var connection = _database.Open();
            using var transaction = connection.BeginTransaction();
            using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM client_blocks WHERE id = $id;";
            delete.Parameters.AddWithValue("$id", id);
            delete.ExecuteNonQuery();
            _audit.Append(connection, transaction, actor, AuditActions.BlockRemove, block.Pattern, Parameters(block),
                $"Removed the block of the {block.Kind.Label()} {block.Pattern}");
            transaction.Commit();
            _enforced.Replace(List());
            return Result<ClientBlock>.Ok(block);
        }
    }

    /// <summary>"until 2025-06-01 12:00:00 UTC" or "with no expiry".</summary>
    public static string Until(DateTimeOffset? expires) => expires is { } until
        ? "until " + until.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC"
        : "with no expiry";

    private static string Parameters(ClientBlock block) => AuditLog.Parameters(
        ("id", block.Id), ("kind", block.Kind.Name()), ("reason", block.Reason),
        ("expires", block.Expires?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)));
}
