namespace Dashboard.Core.Sessions;

/// <summary>One column of the session table: its name, type, group and meaning.</summary>
/// <param name="Name">The field name as used in queries (<c>client_id</c>).</param>
/// <param name="Type">How values are typed and compared.</param>
/// <param name="Group">The group whose row rule the field follows.</param>
/// <param name="Description">One line for people choosing columns.</param>
public sealed record SessionField(string Name, FieldType Type, FieldGroup Group, string Description)
{
    /// <summary>Whether the field expands rows beyond one per attached session.</summary>
    public bool ExpandsRows => Group is FieldGroup.Subscription or FieldGroup.Message;

    /// <summary>Whether the field needs the per-session row rule.</summary>
    public bool NeedsSession => Group is FieldGroup.QueueState or FieldGroup.Connection;
}
