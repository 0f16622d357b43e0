namespace Dashboard.Security;

/// <summary>
/// Slows password guessing without letting a stranger lock a real user out (docs/security.md): failures
/// are counted per user name and client address together. After <see cref="FailuresBeforeWait"/> failures
/// in a row that address waits before it may try that name again — one minute, doubling with each
/// further wait up to <see cref="LongestWait"/> — while the same user signs in from anywhere else as
/// usual. Unknown names are counted exactly like known ones, so the answers never tell them apart.
/// In memory: a restart forgets the counts (the per-address request limit still applies).
/// </summary>
internal sealed class SignInThrottle(TimeProvider time)
{
    public const int FailuresBeforeWait = 5;

    public static readonly TimeSpan FirstWait = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(15);

    // Bounds the memory a flood of made-up names can take; quiet entries go first.
    private const int MaxTracked = 100_000;
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromHours(24);

    private readonly Dictionary<(string Name, string Address), State> _states = [];
    private readonly Dictionary<string, DateTimeOffset> _latestWait = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Until when this address must wait before trying this name again; null when it may try now.</summary>
    public DateTimeOffset? WaitingUntil(string name, string address)
    {
        lock (_lock)
        {
            return _states.TryGetValue(Key(name, address), out var state) && state.Until > time.GetUtcNow() ? state.Until : null;
        }
    }

    /// <summary>Counts a failure; returns the end of the wait it starts, if it starts one.</summary>
    public DateTimeOffset? Failed(string name, string address)
    {
        var now = time.GetUtcNow();
        var key = Key(name, address);
        lock (_lock)
        {
            if (!_states.TryGetValue(key, out var state))
            {
                if (_states.Count >= MaxTracked)
                {
                    Prune(now);
                }
                _states[key] = state = new State();
            }
            state.LastFailure = now;
            if (++state.Failures < FailuresBeforeWait)
            {
                return null;
            }
            state.Failures = 0;
            var wait = TimeSpan.FromTicks(Math.Min(LongestWait.Ticks, FirstWait.Ticks << Math.Min(state.Waits, 10)));
            state.Waits++;
            state.Until = now + wait;
            _latestWait[key.Name] = _latestWait.TryGetValue(key.Name, out var latest) && latest > state.Until ? latest : state.Until.Value;
            return state.Until;
        }
    }

    /// <summary>A right password from this address: its count starts again.</summary>
    public void Succeeded(string name, string address)
    {
        lock (_lock)
        {
            _states.Remove(Key(name, address));
        }
    }

    /// <summary>A new password: every address may try this name again at once.</summary>
    public void Forget(string name)
    {
        var normalized = Normalize(name);
        lock (_lock)
        {
            foreach (var key in _states.Keys.Where(k => k.Name == normalized).ToList())
            {
                _states.Remove(key);
            }
            _latestWait.Remove(normalized);
        }
    }

    /// <summary>The end of the latest wait some address has for this name, while it lasts (for the Users page).</summary>
    public DateTimeOffset? LatestWait(string name)
    {
        lock (_lock)
        {
            return _latestWait.TryGetValue(Normalize(name), out var until) && until > time.GetUtcNow() ? until : null;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, state) in _states.ToList())
        {
            var waiting = state.Until is { } until && until > now;
            if (now - state.LastFailure > ForgetAfter || (!waiting && now - state.LastFailure > TimeSpan.FromHours(1)))
            {
                _states.Remove(key);
            }
        }
        foreach (var (name, until) in _latestWait.ToList())
        {
            if (until < now)
            {
                _latestWait.Remove(name);
            }
        }
        // Still full: a flood of fresh names; the oldest quarter goes.
        if (_states.Count >= MaxTracked)
        {
            foreach (var (key, _) in _states.OrderBy(s => s.Value.LastFailure).Take(MaxTracked / 4).ToList())
            {
                _states.Remove(key);
            }
        }
    }

    private static (string Name, string Address) Key(string name, string address) => (Normalize(name), address);

    // Names are unique ignoring ASCII case (as SQLite's NOCASE); a hostile long one is cut.
    private static string Normalize(string name)
    {
        var cut = name.Length > NameRules.MaxLength ? name[..NameRules.MaxLength] : name;
        return string.Create(cut.Length, cut, (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = text[i] is >= 'A' and <= 'Z' ? (char)(text[i] + 32) : text[i];
            }
        });
    }

    private sealed class State
    {
        public int Failures { get; set; }

        public int Waits { get; set; }

        public DateTimeOffset? Until { get; set; }

        public DateTimeOffset LastFailure { get; set; }
    }
}
