using System.Globalization;
using Dashboard.Core.Blocks;
using Dashboard.Core.Query;
using Dashboard.Security.Data;
using Microsoft.EntityFrameworkCore;

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
        using var db = _database.CreateContext();
        var blocks = new List<ClientBlock>();
        foreach (var row in db.ClientBlocks.AsNoTracking().OrderByDescending(block => block.Id))
        {
            // A row this build cannot read (a kind from a newer build) is left out rather than guessed at.
            if (BlockKinds.TryParse(row.Kind, out var kind))
            {
                blocks.Add(new ClientBlock(row.Id, kind, row.Pattern, row.Reason, row.Expires, row.Created, row.CreatedBy));
            }
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
            using var db = _database.CreateContext();
            using var transaction = db.Database.BeginTransaction();
            var row = new ClientBlockRow
            {
                Kind = request.Kind.Name(),
                Pattern = request.Pattern,
                Reason = request.Reason,
                Expires = request.Expires is { } until ? DateTimeOffset.FromUnixTimeMilliseconds(until.ToUnixTimeMilliseconds()) : null,
                Created = created,
                CreatedBy = actor,
            };
            db.ClientBlocks.Add(row);
            // The audit entry names the block's id, so the row is written first, inside the same transaction.
            db.SaveChanges();
            var block = new ClientBlock(row.Id, request.Kind, row.Pattern, row.Reason, row.Expires, created, actor);
            _audit.Add(db, actor, AuditActions.BlockAdd, block.Pattern, Parameters(block),
                $"Blocked the {block.Kind.Label()} {block.Pattern} {Until(block.Expires)}");
            db.SaveChanges();
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
            using var db = _database.CreateContext();
            using var transaction = db.Database.BeginTransaction();
            db.ClientBlocks.Where(row => row.Id == id).ExecuteDelete();
            _audit.Add(db, actor, AuditActions.BlockRemove, block.Pattern, Parameters(block),
                $"Removed the block of the {block.Kind.Label()} {block.Pattern}");
            db.SaveChanges();
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
