using Hub.Faults.Cluster;
using Hub.Faults.History;

namespace Hub.Faults.Faults;

/// <summary>What a fault works with: the cluster, the history, the run's seeded randomness and how long faults last.</summary>
internal sealed class FaultContext(FaultCluster cluster, RunHistory history, Random random, string topic, int partitions, Action<string> log)
{
    /// <summary>"A few seconds": long enough for a failure detection (about 6 s) to happen or not, short enough for many faults.</summary>
    private static readonly TimeSpan ShortestFault = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LongestFault = TimeSpan.FromSeconds(8);

    public FaultCluster Cluster => cluster;

    public RunHistory History => history;

    public Random Random => random;

    public string Topic => topic;

    public int Partitions => partitions;

    /// <summary>A random time between <paramref name="shortest"/> and <paramref name="longest"/> (default: how long a fault lasts).</summary>
    public TimeSpan Length(TimeSpan? shortest = null, TimeSpan? longest = null)
    {
        var (from, to) = (shortest ?? ShortestFault, longest ?? LongestFault);
        return from + (to - from) * random.NextDouble();
    }

    public SiloNode Silo(int broker) => cluster.Silos[broker];

    /// <summary>
    /// Recorded once the fault took effect (the processes are gone, the routes are in), and <see cref="Ended"/>
    /// before healing starts, so the brokers listed are down for the whole window between them, as the
    /// checker's below-min.insync.replicas rule assumes.
    /// </summary>
    public void Started(string kind, string detail, IReadOnlyList<int>? brokersDown = null)
    {
        history.Add(new FaultStarted(history.Now, kind, detail, brokersDown ?? []));
        log($"fault {kind}: {detail}");
    }

    public void Ended(string kind, string detail)
    {
        history.Add(new FaultEnded(history.Now, kind, detail));
        log($"healing {kind}");
    }

    public void Log(string message) => log(message);
}
