using Bunit;
using Bunit.TestDoubles;
using Dashboard.Core;
using Dashboard.Core.Actions;
using Dashboard.Core.Sessions;
using Dashboard.Core.Store;
using Dashboard.Hosting;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Dashboard.Tests.Components;

/// <summary>
/// A bUnit context wired like the app (Core, MudBlazor, page view models) with a store the test feeds
/// and time the test moves.
/// </summary>
public abstract class DashboardTestContext : BunitContext
{
    protected DashboardTestContext()
        : this(_ => { })
    {
    }

    /// <summary>A context with services of the test's own added first (bUnit takes none once a service was resolved).</summary>
    protected DashboardTestContext(Action<IServiceCollection> addServices)
    {
        ArgumentNullException.ThrowIfNull(addServices);
        addServices(Services);
        // Registered before Core so that Core keeps it instead of the system clock.
        Services.AddSingleton<TimeProvider>(Time);
        Services.AddDashboardCore("test@127.0.0.1");
        Services.AddDashboardUi();
        // The broker's control is not in Core's registration; pages get one that records what they asked.
        Services.AddSingleton<ISessionControl>(SessionControl);
        // Signed in as an Operator unless a test says otherwise, so every session action a page can show
        // is shown; admin-only parts (they need the security stores) belong to SecurityTestContext's tests.
        // Before anything resolves a service: bUnit takes no registrations after that.
        Authorization = AddAuthorization();
        SignInAs(UserRole.Operator);
        // MudBlazor calls JavaScript the test does not need to answer.
        JSInterop.Mode = JSRuntimeMode.Loose;
        // As in the browser after the circuit starts: live subscriptions only start when interactive.
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    /// <summary>bUnit's stand-in for sign-in; its policies are granted by name, as <see cref="SignInAs"/> sets them.</summary>
    protected BunitAuthorizationContext Authorization { get; }

    /// <summary>Signs the test user in with <paramref name="role"/> and the policies that role satisfies in the app.</summary>
    protected void SignInAs(UserRole role)
    {
        // Roles and policies first: setting the user is what tells the components, as a revalidation would.
        Authorization.SetRoles(role.ToString());
        Authorization.SetPolicies(AppPolicies.GrantedTo(role.ToString()));
        Authorization.SetAuthorized(role.ToString().ToLowerInvariant());
    }

    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1549379963575));

    internal RecordingSessionControl SessionControl { get; } = new();

    protected SessionStore Store => Services.GetRequiredService<SessionStore>();

    protected void Connect(string clientId, int port, string? user = null, bool clean = true) =>
        Store.Apply(new ClientConnected(new QueueKey("", clientId), clean, user, "127.0.0.1", port, 4));

    protected void Disconnect(string clientId) => Store.Apply(new ClientDisconnected(new QueueKey("", clientId)));

    protected void Subscribe(string clientId, string topic) =>
        Store.Apply(new SubscriptionAdded(new QueueKey("", clientId), new Subscription(topic, 0)));

    /// <summary>Moves time past the pages' refresh throttle so a pending live refresh fires.</summary>
    protected void PassRefreshInterval() => Time.Advance(TimeSpan.FromMilliseconds(250));

    protected void NavigateTo(string uri) => Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
}
