namespace Dashboard.Security;

/// <summary>
/// An action refused because of who asked (a Viewer's disconnect, a wall screen, nobody signed in). The
/// message is the sentence to show: "Not allowed: your role Viewer cannot disconnect".
/// </summary>
public sealed class ActionNotAllowedException : Exception
{
    public ActionNotAllowedException()
    {
    }

    public ActionNotAllowedException(string message) : base(message)
    {
    }

    public ActionNotAllowedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
