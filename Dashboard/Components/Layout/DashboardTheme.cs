using MudBlazor;

namespace Dashboard.Components.Layout;

/// <summary>The dashboard's colours and type, light and dark.</summary>
/// <remarks>
/// Every text colour reaches WCAG AA (4.5:1) on the backgrounds it is used on; <c>e2e/AccessibilityTests.cs</c>
/// runs axe-core on every page in both themes. MudBlazor's defaults fall short in a few places: secondary
/// text (4.44:1 on the page background), red and orange text, and white on the red of a filled button.
/// </remarks>
public static class DashboardTheme
{
    // System font stacks: no web fonts are fetched because the dashboard must work offline.
    private static readonly string[] SansSerif = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f6f8b",
            Secondary = "#5c6bc0",
            AppbarBackground = "#16324f",
            AppbarText = "#ffffff",
            Background = "#f4f6f8",
            Surface = "#ffffff",
            Success = "#2e7d32",
            TextSecondary = "#596069",
            Error = "#c62828",
            Warning = "#a65400",
            Info = "#1565c0",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#5fb3d3",
            PrimaryContrastText = "#0b1620",
            Secondary = "#9fa8da",
            AppbarBackground = "#0f1c2b",
            AppbarText = "#e8eef4",
            Background = "#12171d",
            Surface = "#1b222b",
            Success = "#66bb6a",
            // White on MudBlazor's dark red is 3.4:1; dark text on it is 5.3:1.
            ErrorContrastText = "#0b1620",
            // Text alerts write their message in the "darken" shade on a tint of the colour: on a dark
            // surface that shade must be light to be read.
            InfoDarken = "#90caf9",
            SuccessDarken = "#a5d6a7",
            WarningDarken = "#ffcc80",
            ErrorDarken = "#ff9ea8",
            // MudBlazor's dark defaults for these are bright enough to read as a selection.
            TableStriped = "rgba(255, 255, 255, 0.03)",
            TableHover = "rgba(255, 255, 255, 0.07)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = SansSerif },
        },
    };
}
