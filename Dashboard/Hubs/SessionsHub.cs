using Dashboard.Core.Live;
using Microsoft.AspNetCore.SignalR;

namespace Dashboard.Hubs;

/// <summary>
/// The live session feed for consumers outside the app (<c>/hubs/sessions</c>): a snapshot on connect,
/// then coalesced changes and counters, scoped by a <c>vmq-admin</c> query (<c>?q=</c> on connect or
/// <see cref="Subscribe"/>). Blazor components use <see cref="SessionFeed"/> in-process instead.
/// </summary>
public sealed class SessionsHub(SessionFeeds feeds) : Hub<ISessionsClient>
{
    public const string Path = "/hubs/sessions";

    public override async Task OnConnectedAsync()
    {
        var query = Context.GetHttpContext()?.Request.Query["q"].ToString();
        if (feeds.Start(Context.ConnectionId, query) is { } error)
        {
            // The caller learns why in the close message; the connection has no use without a scope.
            throw new HubException(error);
        }
        feeds.Track(Context);
        await base.OnConnectedAsync();
    }

    /// <summary>Replaces the scope with <paramref name="query"/>; a snapshot of it follows. Returns the query's error, or null.</summary>
    public string? Subscribe(string? query) => feeds.Start(Context.ConnectionId, query);

    /// <summary>Asks for a fresh snapshot: for a client that saw <c>PreviousVersion</c> differ from its own.</summary>
    public void Resync() => feeds.Resync(Context.ConnectionId);

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        feeds.Stop(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}
