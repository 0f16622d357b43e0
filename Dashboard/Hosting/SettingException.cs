namespace Dashboard.Hosting;

/// <summary>
/// A setting that cannot be used: its message names the key and says what is wrong, and is all an
/// operator sees (Program prints it as one line and exits with code 2, without a stack trace).
/// </summary>
public sealed class SettingException : InvalidOperationException
{
    public SettingException()
    {
    }

    public SettingException(string message) : base(message)
    {
    }

    public SettingException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
