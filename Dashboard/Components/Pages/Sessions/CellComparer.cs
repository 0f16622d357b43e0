using Dashboard.Core.Output;

namespace Dashboard.Components.Pages.Sessions;

/// <summary>Orders grid cells by their field's type: missing first, then numbers, booleans or text.</summary>
internal sealed class CellComparer : IComparer<object?>
{
    public static CellComparer Instance { get; } = new();

    public int Compare(object? x, object? y) => (x, y) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        (long a, long b) => a.CompareTo(b),
        (bool a, bool b) => a.CompareTo(b),
        (string a, string b) => string.CompareOrdinal(a, b),
        _ => string.CompareOrdinal(ValueText.Plain(x), ValueText.Plain(y)),
    };
}
