namespace Hub.Silo.Topics;

/// <summary>
/// Kafka's ConfigType codes (DescribeConfigs v3+ config_type): the type Kafka's ConfigDef declares for a config.
/// Admin clients parse a described value by it.
/// </summary>
internal enum KafkaConfigType : sbyte
{
    Boolean = 1,
    String = 2,
    Int = 3,
    Long = 5,
    Double = 6,
    List = 7,
}
