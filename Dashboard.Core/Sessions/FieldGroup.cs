namespace Dashboard.Core.Sessions;

/// <summary>
/// The group a field belongs to. Each group has a row rule (docs/query-language.md#the-session-table): showing or filtering any field
/// of a group multiplies the rows of a queue by that group's items.
/// </summary>
public enum FieldGroup
{
    /// <summary>One row per queue.</summary>
    Queue,
    /// <summary>One row per attached session; an offline queue gives one row.</summary>
    QueueState,
    /// <summary>Connection fields: same rows as <see cref="QueueState"/>, null when offline.</summary>
    Connection,
    /// <summary>One row per subscription; a queue without subscriptions gives no row.</summary>
    Subscription,
    /// <summary>One row per queued message; a queue without messages gives no row.</summary>
    Message,
}
