using Dashboard.Security;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages.Admin;

/// <summary>Creates a wall token as the signed-in admin and hands the page the token and its ready-to-use wall link.</summary>
public sealed partial class CreateWallTokenForm
{
    private string? _name;
    private string? _expires;
    private string? _query;
    private string? _title;
    private string? _error;
    private bool _busy;

    [Inject]
    public required WallTokenStore Tokens { get; init; }

    [Inject]
    public required IActorAccessor Actor { get; init; }

    [Inject]
    public required BrowserTimeZone BrowserTime { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    /// <summary>Called with the token just created and the wall link that carries its secret.</summary>
    [Parameter]
    public EventCallback<(CreatedWallToken Token, string Link)> OnCreated { get; set; }

    private async Task CreateAsync()
    {
        var expires = ExpiryDate.Parse(_expires, BrowserTime.Zone ?? TimeZoneInfo.Utc);
        if (!expires.IsSuccess)
        {
            _error = expires.Error;
            return;
        }
        _busy = true;
        try
        {
            var created = Tokens.Create(_name ?? "", await Actor.GetActorAsync(), expires.Value);
            if (!created.IsSuccess)
            {
                _error = created.Error;
                return;
            }
            var link = WallLink.Build(Navigation.BaseUri, created.Value.Secret, _query, _title);
            (_error, _name, _expires, _query, _title) = (null, null, null, null, null);
            await OnCreated.InvokeAsync((created.Value, link));
        }
        finally
        {
            _busy = false;
        }
    }
}
