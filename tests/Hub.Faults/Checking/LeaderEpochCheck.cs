using System.Globalization;
using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>
/// A partition's leader epoch never goes down from one metadata sample to a later one. Every broker answers
/// Metadata for a named topic from the controller, so samples from different brokers are comparable. (A leader
/// change without an epoch bump is not judged: a broker reports itself as the leader while the real one is not
/// in its view of the cluster.)
/// </summary>
internal static class LeaderEpochCheck
{
    public static IEnumerable<Anomaly> Find(IEnumerable<HistoryEvent> history)
    {
        foreach (var partition in history.OfType<MetadataSeen>().GroupBy(m => m.Partition))
        {
            MetadataSeen? highest = null;
            foreach (var sample in partition.OrderBy(m => m.At))
            {
                if (highest is not null && sample.LeaderEpoch < highest.LeaderEpoch)
                {
                    yield return new Anomaly(AnomalyKind.EpochWentBack, sample.At, sample.Partition,
                        string.Create(CultureInfo.InvariantCulture,
                            $"partition {sample.Partition} leader epoch {sample.LeaderEpoch} (leader {sample.Leader}) at {sample.At.TotalSeconds:F3}s, "
                            + $"after epoch {highest.LeaderEpoch} (leader {highest.Leader}) at {highest.At.TotalSeconds:F3}s"),
                        []);
                }
                else
                {
                    highest = sample;
                }
            }
        }
    }
}
