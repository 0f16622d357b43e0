namespace Dashboard.Core.Auth;

/// <summary>
/// The outcome of parsing an auth file: either the parsed value or every malformed line, never an
/// exception. A file with any error yields no value, so half a file is never applied.
/// </summary>
/// <typeparam name="T">The parsed file's type.</typeparam>
public sealed class AuthParseResult<T>
    where T : class
{
    private AuthParseResult(T? value, IReadOnlyList<AuthFileError> errors)
    {
        Value = value;
        Errors = errors;
    }

    /// <summary>The parsed file; null when there are errors.</summary>
    public T? Value { get; }

    /// <summary>The malformed lines in file order; empty on success.</summary>
    public IReadOnlyList<AuthFileError> Errors { get; }

    /// <summary>Whether the file parsed without errors.</summary>
    public bool IsSuccess => Value is not null;

    /// <summary>A successful parse.</summary>
    public static AuthParseResult<T> Ok(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, []);
    }

    /// <summary>A failed parse with at least one error.</summary>
    public static AuthParseResult<T> Fail(IReadOnlyList<AuthFileError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("A failed parse needs at least one error.", nameof(errors));
        }
        return new(null, errors);
    }
}
