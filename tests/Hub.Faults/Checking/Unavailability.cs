using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>
/// The stretches in which a partition acknowledged nothing, from any workload: the gaps between consecutive
/// acknowledgements, and from the last one to the last send when sends went unanswered to the end. The
/// workloads send to every partition continuously, so a long gap is a partition that could not take writes.
/// </summary>
internal sealed class Unavailability
{
    private readonly List<Gap[]> _gapsByPartition = [];

    private readonly record struct Gap(TimeSpan Start, TimeSpan End)
    {
        public TimeSpan Length => End - Start;
    }

    public Unavailability(IReadOnlyList<HistoryEvent> history)
    {
        var lastSent = history.OfType<ProduceSent>().GroupBy(s => s.Partition).ToDictionary(g => g.Key, g => g.Max(s => s.At));
        foreach (var partition in history.OfType<ProduceAcked>().GroupBy(a => a.Partition))
        {
            var acks = partition.Select(a => a.At).Order().ToArray();
            var gaps = new List<Gap>(acks.Length);
            for (var i = 1; i < acks.Length; i++) gaps.Add(new Gap(acks[i - 1], acks[i]));
            if (lastSent.TryGetValue(partition.Key, out var sent) && sent > acks[^1]) gaps.Add(new Gap(acks[^1], sent));
            _gapsByPartition.Add([.. gaps]);
        }
    }

    /// <summary>The longest gap on any partition that overlaps the stretch from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public TimeSpan LongestOverlapping(TimeSpan from, TimeSpan to)
    {
        var longest = TimeSpan.Zero;
        foreach (var gaps in _gapsByPartition)
        {
            // Gaps follow each other, so their ends are sorted too: start at the first one ending after from.
            var i = PartitionPoint.First(gaps, g => g.End > from);
            for (; i < gaps.Length && gaps[i].Start < to; i++)
                if (gaps[i].Length > longest) longest = gaps[i].Length;
        }
        return longest;
    }

    /// <summary>The longest gap on any partition that overlaps none of the windows (with their aftermath).</summary>
    public TimeSpan LongestOutside(IReadOnlyList<FaultWindow> windows)
    {
        var longest = TimeSpan.Zero;
        foreach (var gaps in _gapsByPartition)
        foreach (var gap in gaps)
        {
            if (gap.Length > longest && !windows.Any(w => gap.Start < w.EffectsEnd && w.Start < gap.End))
                longest = gap.Length;
        }
        return longest;
    }
}
