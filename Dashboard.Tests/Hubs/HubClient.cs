using System.Threading.Channels;
using Dashboard.Core.Live;
using Dashboard.Api;
using Dashboard.Hubs;
using Dashboard.Tests.Hosting;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dashboard.Tests.Hubs;

/// <summary>A real SignalR client of <c>/hubs/sessions</c> that keeps every message in arrival order.</summary>
internal sealed class HubClient : IAsyncDisposable
{
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>();
    private readonly List<object> _received = [];

    private HubClient(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }

    /// <summary>Everything read so far by the Wait methods.</summary>
    public IReadOnlyList<object> Received => _received;

    public IEnumerable<SessionChangeMessage> Changes => _received.OfType<SessionChangesMessage>().SelectMany(b => b.Changes);

    /// <summary>The read-only API key <see cref="StartHost"/> configures; the hub accepts any key.</summary>
    public const string ReadKey = "hub-test-read-key";

    /// <summary>The real app with <see cref="ReadKey"/> among its API keys.</summary>
    public static DashboardHost StartHost(params (string Key, string? Value)[] settings) =>
        DashboardHost.Start([("Api:Keys:0:Key", ReadKey), ("Api:Keys:0:Scope", "read"), .. settings]);

    public static async Task<HubClient> ConnectAsync(Uri httpUrl, string? query = null, string? apiKey = ReadKey)
    {
        var url = new Uri(httpUrl, SessionsHub.Path + (query is null ? "" : "?q=" + Uri.EscapeDataString(query)));
        var connection = new HubConnectionBuilder()
            .WithUrl(url, options =>
            {
                if (apiKey is not null)
                {
                    options.Headers[ApiKeys.HeaderName] = apiKey;
                }
            })
            .Build();
        var client = new HubClient(connection);
        connection.On<SessionSnapshotMessage>(nameof(ISessionsClient.Snapshot), m => client._inbox.Writer.TryWrite(m));
        connection.On<SessionChangesMessage>(nameof(ISessionsClient.Changes), m => client._inbox.Writer.TryWrite(m));
        connection.On<SessionCountersMessage>(nameof(ISessionsClient.Counters), m => client._inbox.Writer.TryWrite(m));
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return client;
    }

    /// <summary>Reads messages until one satisfies <paramref name="predicate"/>; fails after 15 s.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool> predicate, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            while (true)
            {
                var message = await _inbox.Reader.ReadAsync(timeout.Token);
                _received.Add(message);
                if (message is T typed && predicate(typed))
                {
                    return typed;
                }
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"the hub never sent {what}; received {_received.Count} messages");
            throw;
        }
    }

    /// <summary>Waits for a batch holding a change of <paramref name="clientId"/> that satisfies <paramref name="predicate"/>.</summary>
    public async Task<SessionChangeMessage> WaitForChangeAsync(string clientId, Func<SessionChangeMessage, bool> predicate, string what)
    {
        var batch = await WaitForAsync<SessionChangesMessage>(b => b.Changes.Any(c => c.ClientId == clientId && predicate(c)), what);
        return batch.Changes.Single(c => c.ClientId == clientId);
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
