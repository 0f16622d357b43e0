using Dashboard.Core.Sessions;

namespace Dashboard.Core.Query;

/// <summary>A <c>session show</c> request: columns, filters, limit (docs/query-language.md#flags).</summary>
public sealed record SessionQuery
{
    /// <summary>The default limit: rows per node.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The default row timeout in milliseconds (accepted for compatibility).</summary>
    public const int DefaultRowTimeout = 100;

    /// <summary>Columns asked for, in the order given; empty means the default columns.</summary>
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>Filters, all of which must hold.</summary>
    public required IReadOnlyList<FieldFilter> Filters { get; init; }

    /// <summary>At most this many rows per node.</summary>
    public int Limit { get; init; } = DefaultLimit;

    /// <summary>Per-queue time budget in milliseconds; accepted and kept, as VerneMQ's.</summary>
    public int RowTimeout { get; init; } = DefaultRowTimeout;

    /// <summary>The query with no flags: default columns, no filter, default limit.</summary>
    public static SessionQuery Default { get; } = new() { Columns = [], Filters = [] };

    /// <summary>The columns that are shown: the given ones, or the defaults when none is given.</summary>
    public IReadOnlyList<string> EffectiveColumns => Columns.Count > 0 ? Columns : FieldCatalog.DefaultColumns;

    /// <summary>The flags of this query as <c>vmq-admin</c> words, canonical order.</summary>
    public IReadOnlyList<string> ToArguments()
    {
        var words = new List<string>(Columns.Count + Filters.Count + 2);
        words.AddRange(Columns.Select(c => "--" + c));
        words.AddRange(Filters.Select(f => f.ToFlag()));
        if (Limit != DefaultLimit)
        {
            words.Add($"--limit={Limit}");
        }
        if (RowTimeout != DefaultRowTimeout)
        {
            words.Add($"--rowtimeout={RowTimeout}");
        }
        return words;
    }

    /// <summary>The query as text that <see cref="QueryParser.ParseText"/> reads back to an equal query.</summary>
    public string ToText() => string.Join(' ', ToArguments().Select(ArgumentText.Quote));

    /// <summary>Value equality over the lists too, so two parses of the same text are equal.</summary>
    public bool Equals(SessionQuery? other) =>
        other is not null
        && Columns.SequenceEqual(other.Columns)
        && Filters.SequenceEqual(other.Filters)
        && Limit == other.Limit
        && RowTimeout == other.RowTimeout;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ToText());
}
