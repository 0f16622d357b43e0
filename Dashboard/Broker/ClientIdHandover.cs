namespace Dashboard.Broker;

/// <summary>
/// Orders, per client id, the end of one connection and the set-up of the next, which MQTTnet 5.2 does
/// not. When a connection ends without having been taken over, MQTTnet's clean-up removes its client id
/// from the table of connected clients and, for a clean session, deletes the id's session and stops the
/// connection the table then holds; all by id. A new connection with the same id that was set up in the
/// meantime (a client that drops its connection and reconnects at once) loses its table entry, its
/// session, or, before its CONNACK, the connection itself: the client was told it is connected while the
/// broker dropped its session and the dashboard listed it gone, or it saw the connection closed while
/// connecting. The reconnect storm of e2e/ReconnectStormTests showed both (docs/reliability.md).
/// <para>
/// Here a new connection, once its CONNECT is read, waits until every connection of its id whose input
/// has ended has finished; and a connection whose input ends waits while a new one of its id is being
/// set up (set up, it has taken the old one over, and MQTTnet's clean-up of a taken-over connection
/// leaves the id alone). Both waits are bounded by <see cref="MaxWait"/>, after which the connection goes
/// on as it would have without the handover.
/// </para>
/// </summary>
internal sealed class ClientIdHandover
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, State> _ids = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    public ClientIdHandover(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>A connection's part in its id's handover.</summary>
    public enum Phase
    {
        /// <summary>From its CONNECT until the broker has set it up (its first read after the CONNACK).</summary>
        SettingUp,

        /// <summary>From the end of its input until the broker has finished with it.</summary>
        Ending,
    }

    /// <summary>Client ids with a connection setting up or ending (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _ids.Count;
            }
        }
    }

    /// <summary>
    /// Waits while connections of <paramref name="clientId"/> are in the other phase (at most <see cref="MaxWait"/>),
    /// then counts this one in <paramref name="phase"/>; <see cref="Leave"/> must follow.
    /// </summary>
    public async ValueTask EnterAsync(string clientId, Phase phase, CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp() + (long)(MaxWait.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (!_ids.TryGetValue(clientId, out var state))
                {
                    state = new State();
                    _ids[clientId] = state;
                }
                var other = phase == Phase.SettingUp ? state.Ending : state.SettingUp;
                var remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                if (other == 0 || remaining <= TimeSpan.Zero)
                {
                    if (phase == Phase.SettingUp)
                    {
                        state.SettingUp++;
                    }
                    else
                    {
                        state.Ending++;
                    }
                    return;
                }
                changed = state.Changed.Task;
            }
            try
            {
                await changed.WaitAsync(MaxWait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The next round counts this connection in: the deadline has passed.
            }
        }
    }

    /// <summary>Counts a connection out of <paramref name="phase"/> and wakes whoever waits on its id.</summary>
    public void Leave(string clientId, Phase phase)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (!_ids.TryGetValue(clientId, out var state))
            {
                return;
            }
            if (phase == Phase.SettingUp)
            {
                state.SettingUp--;
            }
            else
            {
                state.Ending--;
            }
            changed = state.Changed;
            if (state.SettingUp == 0 && state.Ending == 0)
            {
                _ids.Remove(clientId);
            }
            else
            {
                state.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        changed.TrySetResult();
    }

    private sealed class State
    {
        public int SettingUp;
        public int Ending;
        public TaskCompletionSource Changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
