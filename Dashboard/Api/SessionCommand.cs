namespace Dashboard.Api;

/// <summary>The <c>session</c> sub-commands the API runs.</summary>
internal enum SessionCommand
{
    Show,
    Disconnect,
    Reauthorize,
}
