using Hub.Faults.History;

namespace Hub.Faults.Workloads;

/// <summary>
/// A client writing records through the run while faults happen. It records every send, acknowledgement and
/// failure in the history, writes values unique in the run, and keeps going through errors until stopped.
/// </summary>
public interface IWorkload
{
    string Name { get; }

    Task RunAsync(ClusterEndpoints cluster, RunHistory history, CancellationToken stop);
}
