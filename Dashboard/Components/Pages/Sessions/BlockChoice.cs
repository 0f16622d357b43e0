namespace Dashboard.Components.Pages.Sessions;

/// <summary>What <see cref="BlockClientDialog"/> was told to block: the kind's name, the pattern, why and for how long (null: ever).</summary>
public sealed record BlockChoice(string Kind, string Pattern, string Reason, TimeSpan? Duration);
