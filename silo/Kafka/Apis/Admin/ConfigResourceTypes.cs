namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>Kafka's ConfigResource type codes that Hub answers for in DescribeConfigs and the alter-configs APIs.</summary>
internal static class ConfigResourceTypes
{
    public const sbyte Topic = 2;

    public const sbyte Broker = 4;
}
