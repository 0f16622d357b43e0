namespace Dashboard.Core.Query;

/// <summary>How a filter compares.</summary>
public enum FilterKind
{
    /// <summary><c>--F=V</c>: equal by the field's type.</summary>
    Equal,
    /// <summary><c>--F=~R</c>: the regular expression matches somewhere in the value.</summary>
    Regex,
}

/// <summary>One filter of a query.</summary>
/// <param name="Field">The field name.</param>
/// <param name="Kind">Equality or regular expression.</param>
/// <param name="Value">The value or pattern as written.</param>
public sealed record FieldFilter(string Field, FilterKind Kind, string Value)
{
    /// <summary>The <c>vmq-admin</c> flag for this filter (<c>--topic=~^a/</c>).</summary>
    public string ToFlag() => Kind == FilterKind.Regex ? $"--{Field}=~{Value}" : $"--{Field}={Value}";
}
