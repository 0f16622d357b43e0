namespace Dashboard.Core.Sessions;

/// <summary>
/// One row of the session table before column selection: a queue, and where the row rules apply, one
/// of its sessions, subscriptions and messages.
/// </summary>
/// <param name="Node">The node name (the <c>node</c> column).</param>
/// <param name="Queue">The queue.</param>
/// <param name="Session">The attached session of this row; null when offline or not expanded.</param>
/// <param name="Subscription">The subscription of this row, when subscription fields are used.</param>
/// <param name="Message">The queued message of this row, when message fields are used.</param>
public readonly record struct SessionRow(
    string Node,
    QueueState Queue,
    AttachedSession? Session,
    Subscription? Subscription,
    QueuedMessage? Message);
