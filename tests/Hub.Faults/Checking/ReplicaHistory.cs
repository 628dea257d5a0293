using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>Each partition's replica assignment over the run, from the metadata samples that carry it.</summary>
internal sealed class ReplicaHistory
{
    private readonly Dictionary<int, List<MetadataSeen>> _samples;

    public ReplicaHistory(IEnumerable<HistoryEvent> history) =>
        _samples = history.OfType<MetadataSeen>().Where(m => m.Replicas is not null)
            .GroupBy(m => m.Partition).ToDictionary(g => g.Key, g => g.OrderBy(m => m.At).ToList());

    /// <summary>
    /// Every broker assigned to the partition at some moment from <paramref name="from"/> to <paramref name="to"/>:
    /// the last sample before the stretch and the samples inside it (the first sample when none came before).
    /// Empty when the partition was never sampled.
    /// </summary>
    public IReadOnlySet<int> AssignedDuring(int partition, TimeSpan from, TimeSpan to)
    {
        var assigned = new HashSet<int>();
        if (!_samples.TryGetValue(partition, out var samples)) return assigned;
        var first = Math.Max(PartitionPoint.First(samples, m => m.At > from) - 1, 0);
        assigned.UnionWith(samples[first].Replicas!);
        for (var i = first + 1; i < samples.Count && samples[i].At <= to; i++) assigned.UnionWith(samples[i].Replicas!);
        return assigned;
    }
}
