namespace Dashboard.Core.Query;

/// <summary>A value or an error message meant for the person who asked: never an exception.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public readonly record struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, string? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The error message; null on success.</summary>
    public string? Error { get; }

    /// <summary>Whether there is a value.</summary>
    public bool IsSuccess => Error is null;

    /// <summary>The value; throws when there is an error.</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException(Error);

    /// <summary>A success.</summary>
    public static Result<T> Ok(T value) => new(value, null);

    /// <summary>A failure with a message.</summary>
    public static Result<T> Fail(string error) => new(default, error);
}
