using System.Net;

namespace Hub.Faults.Workloads;

/// <summary>Where a workload finds the cluster under test and the topic it writes.</summary>
/// <param name="ClientLogDirectory">Where a client library's own log goes (its idempotence state changes), or null for nowhere.</param>
public sealed record ClusterEndpoints(
    IReadOnlyList<string> KafkaBootstrap,
    IReadOnlyList<IPEndPoint> Gateways,
    string Topic,
    int Partitions,
    int ReplicationFactor,
    int MinInsyncReplicas,
    string? ClientLogDirectory = null);
