using Hub.Faults.History;
using Hub.Faults.Workloads;

namespace Hub.Faults.Runner;

/// <summary>
/// The workloads' side of a run, as the runner calls it: what writes and observes while faults happen, and the
/// verdict on the history afterwards. The workloads and the checker are being built beside the runner (issue 14);
/// until they land, a run injects faults into an idle cluster and checks only that it heals.
/// </summary>
internal static class RunWorkloads
{
    public static IReadOnlyList<IWorkload> Create(string repositoryRoot) => [];

    /// <summary>Reads the partitions back, checks them against the history, prints the table; returns the anomalies found.</summary>
    public static Task<int> CheckAsync(ClusterEndpoints cluster, RunHistory history, int seed, TextWriter output, CancellationToken ct)
    {
        output.WriteLine("no workloads and no checker yet: only the cluster's healing was checked");
        return Task.FromResult(0);
    }
}
