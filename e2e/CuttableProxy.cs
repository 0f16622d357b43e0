using System.Net;
using System.Net.Sockets;

namespace Dashboard.E2E;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the app, for a browser whose network a test takes away:
/// <see cref="Cut"/> resets every connection through it and refuses new ones (a dropped Wi-Fi, a
/// restarted router), <see cref="Freeze"/> keeps them open but lets nothing through (a silent drop,
/// seen only by timeouts), <see cref="Restore"/> brings the network back. Playwright's offline mode
/// leaves open WebSockets alone, so it cannot take a circuit's connection away.
/// </summary>
public sealed class CuttableProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly Lock _lock = new();
    private readonly List<(Socket Client, Socket Server)> _pairs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private TaskCompletionSource _flowing = NewGate(open: true);
    private bool _cut;

    public CuttableProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Connections currently open through the proxy.</summary>
    public int Open
    {
        get
        {
            lock (_lock)
            {
                return _pairs.Count;
            }
        }
    }

    /// <summary>Resets every open connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        List<(Socket, Socket)> pairs;
        lock (_lock)
        {
            _cut = true;
            pairs = [.. _pairs];
            _pairs.Clear();
        }
        foreach (var (client, server) in pairs)
        {
            Reset(client);
            Reset(server);
        }
    }

    /// <summary>Holds every byte in both directions, connections open, until <see cref="Restore"/>.</summary>
    public void Freeze()
    {
        lock (_lock)
        {
            if (_flowing.Task.IsCompleted)
            {
                _flowing = NewGate(open: false);
            }
        }
    }

    /// <summary>The network is back: new connections go through, held bytes flow.</summary>
    public void Restore()
    {
        lock (_lock)
        {
            _cut = false;
            _flowing.TrySetResult();
        }
    }

    private static TaskCompletionSource NewGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            gate.SetResult();
        }
        return gate;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        bool cut;
        lock (_lock)
        {
            cut = _cut;
        }
        if (cut)
        {
            Reset(client);
            return;
        }
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
        }
        catch (Exception)
        {
            Reset(client);
            server.Dispose();
            return;
        }
        lock (_lock)
        {
            _pairs.Add((client, server));
        }
        await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        lock (_lock)
        {
            _pairs.Remove((client, server));
        }
        client.Dispose();
        server.Dispose();
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                Task gate;
                lock (_lock)
                {
                    gate = _flowing.Task;
                }
                await gate.WaitAsync(_stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception)
        {
            // Reset by Cut or by either side: the other pump ends on its own socket's reset.
            Reset(from);
            Reset(to);
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            // Linger 0: close with RST, as a connection that died rather than one that said goodbye.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
