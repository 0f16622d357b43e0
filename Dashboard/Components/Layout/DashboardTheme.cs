using MudBlazor;

namespace Dashboard.Components.Layout;

/// <summary>The dashboard's colours and type, light and dark.</summary>
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
