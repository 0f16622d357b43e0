namespace Dashboard.Security;

/// <summary>One line of the audit log.</summary>
/// <param name="Id">Increasing with each append.</param>
/// <param name="Time">When it was written (UTC, millisecond precision).</param>
/// <param name="Actor">Who: a user name, <c>key:&lt;name&gt;</c>, <c>config:Api:Keys:N</c>, <c>anonymous</c> or <c>system</c>.</param>
/// <param name="Action">One of <see cref="AuditActions"/>.</param>
/// <param name="Target">What it was done to: a client id, user name, key or token name.</param>
/// <param name="Parameters">The action's arguments as a JSON object (empty when none).</param>
/// <param name="Result">What came of it, in words.</param>
public sealed record AuditEntry(long Id, DateTimeOffset Time, string Actor, string Action, string Target, string Parameters, string Result);

/// <summary>Which audit entries to read: every filter set must match (exactly); newest first.</summary>
public sealed record AuditQuery
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 100_000;

    public string? Actor { get; init; }

    public string? Action { get; init; }

    /// <summary>A client id, user, key or token name.</summary>
    public string? Target { get; init; }

    /// <summary>Inclusive lower bound.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Exclusive upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = DefaultLimit;
}

/// <summary>The entries a query found, newest first, and whether the limit cut them.</summary>
public sealed record AuditQueryResult(IReadOnlyList<AuditEntry> Entries, bool LimitReached);
