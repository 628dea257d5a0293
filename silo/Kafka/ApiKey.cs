namespace Hub.Silo.Kafka;

/// <summary>Kafka's API keys (the first field of every request header) for the APIs Hub knows of.</summary>
public enum ApiKey : short
{
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    DescribeConfigs = 32,
    ApiVersions = 18,
    CreateTopics = 19,
    DeleteTopics = 20,
    InitProducerId = 22,
    CreatePartitions = 37,
}
