using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>
/// The run's faults as windows: each FaultStarted is closed by the next FaultEnded of the same kind (first started,
/// first ended); one never ended lasts to the run's end. Also answers whether a broker was down for a whole stretch.
/// </summary>
internal sealed class FaultTimeline
{
    /// <summary>Per broker, the stretches faults kept it down: sorted, overlapping ones merged.</summary>
    private readonly Dictionary<int, List<(TimeSpan Start, TimeSpan End)>> _downByBroker = [];

    public FaultTimeline(IReadOnlyList<HistoryEvent> history, TimeSpan runEnd)
    {
        var open = new Dictionary<string, Queue<FaultStarted>>(StringComparer.Ordinal);
        var windows = new List<FaultWindow>();
        foreach (var e in history.OrderBy(e => e.At))
        {
            if (e is FaultStarted started)
            {
                if (!open.TryGetValue(started.Kind, out var queue)) open[started.Kind] = queue = new Queue<FaultStarted>();
                queue.Enqueue(started);
            }
            else if (e is FaultEnded ended && open.TryGetValue(ended.Kind, out var queue) && queue.TryDequeue(out var start))
            {
                windows.Add(Window(start, ended.At));
            }
        }
        windows.AddRange(open.Values.SelectMany(q => q).Select(start => Window(start, runEnd)));
        Windows = [.. windows.OrderBy(w => w.Start)];

        foreach (var window in Windows)
        foreach (var broker in window.BrokersDown)
        {
            if (!_downByBroker.TryGetValue(broker, out var down)) _downByBroker[broker] = down = [];
            if (down.Count > 0 && window.Start <= down[^1].End)
                down[^1] = (down[^1].Start, window.End > down[^1].End ? window.End : down[^1].End);
            else
                down.Add((window.Start, window.End));
        }
    }

    public IReadOnlyList<FaultWindow> Windows { get; }

    public IEnumerable<string> Kinds => Windows.Select(w => w.Kind).Distinct().Order(StringComparer.Ordinal);

    /// <summary>The kinds whose faults (or their aftermath) cover this moment.</summary>
    public IEnumerable<string> KindsAffecting(TimeSpan at) => Windows.Where(w => w.Affects(at)).Select(w => w.Kind).Distinct();

    /// <summary>Whether faults kept <paramref name="broker"/> down at every moment from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public bool DownThroughout(int broker, TimeSpan from, TimeSpan to)
    {
        if (!_downByBroker.TryGetValue(broker, out var down)) return false;
        var last = PartitionPoint.First(down, d => d.Start > from) - 1;
        return last >= 0 && down[last].End >= to;
    }

    private static FaultWindow Window(FaultStarted start, TimeSpan end) =>
        new(start.Kind, start.Detail, start.At, end, start.BrokersDown ?? []);
}
