using Microsoft.Extensions.Logging;

namespace Dashboard.Tests.Core.Auth;

/// <summary>One recorded log call, with the structured values the message template named.</summary>
public sealed record LogEntry(LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception);

/// <summary>An ILogger that records entries and lets a test await one matching a condition.</summary>
public sealed class RecordingLogger : ILogger
{
    private readonly Lock _lock = new();
    private readonly List<LogEntry> _entries = [];
    private readonly List<(Func<LogEntry, bool> Predicate, TaskCompletionSource<LogEntry> Signal)> _waiters = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public IReadOnlyList<LogEntry> Errors => [.. Entries.Where(entry => entry.Level >= LogLevel.Error)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(pair => pair.Key, pair => pair.Value)
            : [];
        var entry = new LogEntry(logLevel, formatter(state, exception), values, exception);
        List<TaskCompletionSource<LogEntry>> matched = [];
        lock (_lock)
        {
            _entries.Add(entry);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(entry))
                {
                    matched.Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }
        foreach (var signal in matched)
        {
            signal.TrySetResult(entry);
        }
    }

    /// <summary>Completes with the first entry (already recorded or future) that matches.</summary>
    public Task<LogEntry> WaitForAsync(Func<LogEntry, bool> predicate)
    {
        lock (_lock)
        {
            var existing = _entries.FirstOrDefault(predicate);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }
            var signal = new TaskCompletionSource<LogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((predicate, signal));
            return signal.Task;
        }
    }
}
