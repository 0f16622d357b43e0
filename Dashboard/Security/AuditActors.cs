namespace Dashboard.Security;

/// <summary>How actors are named in the audit log.</summary>
public static class AuditActors
{
    /// <summary>Nobody signed in (until sign-in is required everywhere, the UI acts as this).</summary>
    public const string Anonymous = "anonymous";

    /// <summary>The dashboard itself, e.g. creating the admin user on first start.</summary>
    public const string System = "system";

    /// <summary>A stored API key.</summary>
    public static string ApiKey(string name) => "key:" + name;

    /// <summary>A key from <c>Api:Keys:N</c>, named by its configuration index (the key itself is secret).</summary>
    public static string ConfigKey(string index) => "config:Api:Keys:" + index;
}
