using System.Net;
using MQTTnet;
using MQTTnet.Protocol;

namespace Dashboard.Tests.Core.Broker;

public class StressTests
{
    [Fact]
    public async Task TwoThousandClients_ConnectSubscribeDisconnectConcurrently_StoreMatchesBroker()
    {
        await using var broker = await BrokerHarness.StartAsync();
        var cancel = TestContext.Current.CancellationToken;
        using var gate = new SemaphoreSlim(64);

        var work = Enumerable.Range(0, 2000).Select(async i =>
        {
            await gate.WaitAsync(cancel);
            try
            {
                var clean = i % 3 == 0;
                var client = await broker.ConnectAsync($"stress-{i:D4}", clean: clean);
                await client.SubscribeAsync($"stress/{i % 50}/#", (MqttQualityOfServiceLevel)(i % 3), cancel);
                if (i % 4 == 0)
                {
                    await client.SubscribeAsync("stress/all", MqttQualityOfServiceLevel.AtMostOnce, cancel);
                }
                if (i % 2 == 0)
                {
                    await client.DisconnectAsync(cancellationToken: cancel);
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(work);

        // The broker reports disconnects asynchronously; wait until its own view settles.
        var clients = await SettledAsync(() => broker.Server.GetClientsAsync(), 1000);
        // Sessions left: every persistent client, and the clean ones still connected.
        var expectedSessions = Enumerable.Range(0, 2000).Count(i => i % 3 != 0 || i % 2 != 0);
        var sessions = await SettledAsync(() => broker.Server.GetSessionsAsync(), expectedSessions);
        await broker.Tracker.DrainAsync(cancel);

        using var snapshot = broker.Store.OpenSnapshot();
        var queues = snapshot.Queues().ToDictionary(q => q.Key.ClientId);
        Assert.Equal(sessions.Select(s => s.Id).Order(), queues.Keys.Order());
        Assert.Equal(clients.Select(c => c.Id).Order(), queues.Values.Where(q => q.IsOnline).Select(q => q.Key.ClientId).Order());
        foreach (var client in clients)
        {
            Assert.Equal(((IPEndPoint)client.RemoteEndPoint).Port, queues[client.Id].Sessions[0].PeerPort);
        }
        foreach (var queue in queues.Values)
        {
            var i = int.Parse(queue.Key.ClientId[7..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(i % 4 == 0 ? 2 : 1, queue.Subscriptions.Length);
            Assert.Equal(i % 3, queue.Subscriptions.Single(s => s.Topic != "stress/all").Qos);
        }
        Assert.Equal(queues.Count, broker.Store.Counters.Queues);
    }

    private static async Task<IList<T>> SettledAsync<T>(Func<Task<IList<T>>> read, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var items = await read();
            if (items.Count == expected || DateTime.UtcNow > deadline)
            {
                Assert.Equal(expected, items.Count);
                return items;
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
