namespace Dashboard.Core.Blocks;

/// <summary>
/// A stored block: clients matching <see cref="Pattern"/> by <see cref="Kind"/> are refused at connect
/// until <see cref="Expires"/> (never, when null).
/// </summary>
/// <param name="Id">The block's number; unique, never reused.</param>
/// <param name="Kind">What is compared.</param>
/// <param name="Pattern">The client id, pattern, user name, address or network (in canonical form).</param>
/// <param name="Reason">Why, as the person who blocked wrote it.</param>
/// <param name="Expires">When it stops applying; null: never.</param>
/// <param name="Created">When it was added.</param>
/// <param name="CreatedBy">Who added it, as the audit log names them.</param>
public sealed record ClientBlock(
    long Id, BlockKind Kind, string Pattern, string Reason, DateTimeOffset? Expires, DateTimeOffset Created, string CreatedBy)
{
    /// <summary>Whether it applies at <paramref name="now"/>: it stops at its expiry time, exactly.</summary>
    public bool IsActive(DateTimeOffset now) => Expires is not { } expires || now < expires;
}

/// <summary>A block as asked for and checked by <see cref="BlockRules.Validate"/>, before it has an id.</summary>
public sealed record BlockRequest(BlockKind Kind, string Pattern, string Reason, DateTimeOffset? Expires);
