namespace Dashboard.Core.Sessions;

/// <summary>How a session field's values are typed, compared and rendered.</summary>
public enum FieldType
{
    /// <summary>Text compared ordinally.</summary>
    Text,
    /// <summary>A 64-bit integer; filter values are parsed as integers.</summary>
    Integer,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
    /// <summary>Raw bytes (message payloads); shown as text when valid UTF-8.</summary>
    Binary,
}
