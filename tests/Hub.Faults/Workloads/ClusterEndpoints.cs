using System.Net;

namespace Hub.Faults.Workloads;

/// <summary>Where a workload finds the cluster under test and the topic it writes.</summary>
public sealed record ClusterEndpoints(
    IReadOnlyList<string> KafkaBootstrap,
    IReadOnlyList<IPEndPoint> Gateways,
    string Topic,
    int Partitions,
    int ReplicationFactor,
    int MinInsyncReplicas);
