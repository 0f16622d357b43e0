namespace Dashboard.Core.Sessions;

/// <summary>The <c>statename</c> of a queue.</summary>
public enum QueueStateName
{
    /// <summary>At least one session is attached.</summary>
    Online,
    /// <summary>No session attached; a persistent queue keeps collecting messages.</summary>
    Offline,
    /// <summary>Messages are being moved to another queue.</summary>
    Drain,
    /// <summary>Waiting for the previous session to go offline.</summary>
    WaitForOffline,
}
