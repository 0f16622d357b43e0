namespace Dashboard.Core.Auth;

/// <summary>A malformed line of an auth file: where it is and what is wrong with it.</summary>
/// <param name="Line">The 1-based line number.</param>
/// <param name="Message">What is wrong, for the person who edits the file.</param>
public sealed record AuthFileError(int Line, string Message)
{
    /// <summary>The error as <c>line N: message</c>.</summary>
    public override string ToString() => $"line {Line}: {Message}";
}
