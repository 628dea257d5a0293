using Hub.Faults.History;

namespace Hub.Faults.Workloads;

/// <summary>
/// A client running through the run while faults happen: a producer writing records, or an observer (metadata
/// samples, a live consumer). It records what it did and saw in the history, writes values unique in the run,
/// and keeps going through errors until stopped.
/// </summary>
public interface IWorkload
{
    string Name { get; }

    Task RunAsync(ClusterEndpoints cluster, RunHistory history, CancellationToken stop);
}
