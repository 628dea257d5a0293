namespace Hub.Silo.Kafka.Protocol;

/// <summary>Kafka's API keys (the first field of every request header) for the APIs Hub knows of.</summary>
internal enum ApiKey : short
{
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    OffsetCommit = 8,
    OffsetFetch = 9,
    FindCoordinator = 10,
    JoinGroup = 11,
    Heartbeat = 12,
    LeaveGroup = 13,
    SyncGroup = 14,
    DescribeGroups = 15,
    ListGroups = 16,
    DeleteGroups = 42,
    DescribeConfigs = 32,
    ApiVersions = 18,
    CreateTopics = 19,
    DeleteTopics = 20,
    InitProducerId = 22,
    OffsetForLeaderEpoch = 23,
    CreatePartitions = 37,
    DescribeClientQuotas = 48,
    AlterClientQuotas = 49,
}
