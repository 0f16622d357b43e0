using Dashboard.Security;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Pages.Admin;

/// <summary>Creates an API key as the signed-in admin and hands the page the secret to show once.</summary>
public sealed partial class CreateApiKeyForm
{
    private string? _name;
    private ApiKeyScope _scope = ApiKeyScope.Read;
    private string? _expires;
    private string? _error;
    private bool _busy;

    [Inject]
    public required ApiKeyStore Keys { get; init; }

    [Inject]
    public required IActorAccessor Actor { get; init; }

    [Inject]
    public required BrowserTimeZone BrowserTime { get; init; }

    /// <summary>Called with the key just created, secret included.</summary>
    [Parameter]
    public EventCallback<CreatedApiKey> OnCreated { get; set; }

    private string ScopeHelp => _scope == ApiKeyScope.Mgmt ? "Shows sessions, disconnects and reauthorizes" : "Shows sessions only";

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
            var created = Keys.Create(_name ?? "", _scope, expires.Value, await Actor.GetActorAsync());
            if (!created.IsSuccess)
            {
                _error = created.Error;
                return;
            }
            (_error, _name, _expires, _scope) = (null, null, null, ApiKeyScope.Read);
            await OnCreated.InvokeAsync(created.Value);
        }
        finally
        {
            _busy = false;
        }
    }
}
