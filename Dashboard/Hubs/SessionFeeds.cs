using System.Collections.Concurrent;
using System.Security.Claims;
using Dashboard.Core.Live;
using Dashboard.Core.Query;
using Dashboard.Core.Store;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Dashboard.Hubs;

/// <summary>
/// The hub's feeds, one per connection: hubs are transient, so the feed that outlives a single hub
/// call lives here and is disposed when its connection closes.
/// </summary>
public sealed class SessionFeeds(
    SessionStore store,
    SessionActivity activity,
    IHubContext<SessionsHub, ISessionsClient> hub,
    IOptions<SessionFeedOptions> options,
    TimeProvider time,
    ILogger<SessionFeed> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, SessionFeed> _feeds = new();
    private readonly ConcurrentDictionary<string, HubCallerContext> _callers = new();

    /// <summary>Remembers who is on a connection, so <see cref="Revalidate"/> can end it.</summary>
    public void Track(HubCallerContext caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        _callers[caller.ConnectionId] = caller;
    }

    /// <summary>
    /// Ends every connection whose caller no longer stands (a revoked key or wall token, a user reset,
    /// demoted or deleted): the feed shows every client id and topic, and a connection lives for weeks.
    /// Returns how many it ended.
    /// </summary>
    public int Revalidate(Func<ClaimsPrincipal, bool> isCurrent)
    {
        ArgumentNullException.ThrowIfNull(isCurrent);
        var ended = 0;
        foreach (var caller in _callers.Values)
        {
            if (caller.User is not { } user || !isCurrent(user))
            {
                caller.Abort();
                ended++;
            }
        }
        return ended;
    }

    /// <summary>Starts (or replaces) the connection's feed; returns the query's error, or null.</summary>
    public string? Start(string connectionId, string? query)
    {
        var matcher = QueueMatcher.Parse(query);
        if (!matcher.IsSuccess)
        {
            return matcher.Error;
        }
        var feed = new SessionFeed(store, matcher.Value, hub.Clients.Client(connectionId), options.Value, activity, time, logger);
        if (_feeds.TryGetValue(connectionId, out var old))
        {
            old.Dispose();
        }
        _feeds[connectionId] = feed;
        return null;
    }

    /// <summary>Open feeds: hub connections.</summary>
    public int Count => _feeds.Count;

    public void Resync(string connectionId)
    {
        if (_feeds.TryGetValue(connectionId, out var feed))
        {
            feed.RequestSnapshot();
        }
    }

    public void Stop(string connectionId)
    {
        _callers.TryRemove(connectionId, out _);
        if (_feeds.TryRemove(connectionId, out var feed))
        {
            feed.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var feed in _feeds.Values)
        {
            feed.Dispose();
        }
        _feeds.Clear();
    }
}
