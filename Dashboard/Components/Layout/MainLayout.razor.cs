using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace Dashboard.Components.Layout;

/// <summary>The signed-in pages' frame: app bar, navigation drawer, theme, and the main landmark.</summary>
public sealed partial class MainLayout
{
    private MudThemeProvider? _themeProvider;
    private bool _isDarkMode;
    private bool _userChoseTheme;
    // Open: beside the page on a wide screen from the first render on; on a narrow one MudBlazor's CSS hides
    // it in the prerender and the drawer closes itself once it learns the screen's width.
    private bool _drawerOpen = true;
    private ElementReference _main;

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private string ThemeToggleLabel => _isDarkMode ? "Switch to light theme" : "Switch to dark theme";

    // The page's own address plus the fragment, so the link reads as a link within this page (a bare
    // "#main-content" would resolve against the base href, the start page).
    private string SkipLink => Navigation.Uri.Split('#')[0] + "#main-content";

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Start in the browser's preferred scheme; only known once the circuit can call JavaScript.
        if (firstRender && _themeProvider is not null)
        {
            var prefersDark = await _themeProvider.GetSystemDarkModeAsync();
            if (!_userChoseTheme && prefersDark != _isDarkMode)
            {
                _isDarkMode = prefersDark;
                StateHasChanged();
            }
        }
    }

    private void ToggleDarkMode()
    {
        _userChoseTheme = true;
        _isDarkMode = !_isDarkMode;
    }

    // Moves the keyboard focus too, which scrolling to a fragment does not do once Blazor handles the link.
    private async Task SkipToContentAsync() => await _main.FocusAsync();

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private void CloseOnEscape(KeyboardEventArgs args)
    {
        if (args.Key == "Escape")
        {
            _drawerOpen = false;
        }
    }
}
