using System.Collections.Concurrent;
using System.Diagnostics;

namespace Hub.Faults.History;

/// <summary>
/// Everything a run's workloads, fault injector and observers saw, in the order they recorded it. Shared by
/// all of them at once; the checker reads a snapshot when the run ends.
/// </summary>
public sealed class RunHistory
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<HistoryEvent> _events = new();

    public TimeSpan Now => _clock.Elapsed;

    public void Add(HistoryEvent e) => _events.Enqueue(e);

    public IReadOnlyList<HistoryEvent> Snapshot() => _events.ToArray();
}
