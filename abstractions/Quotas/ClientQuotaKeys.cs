namespace Hub.Quotas;

/// <summary>The quota keys Hub enforces, Kafka's names.</summary>
public static class ClientQuotaKeys
{
    /// <summary>Bytes per second of produce requests.</summary>
    public const string ProducerByteRate = "producer_byte_rate";

    /// <summary>Bytes per second of fetch responses.</summary>
    public const string ConsumerByteRate = "consumer_byte_rate";

    /// <summary>Percentage of one request-handling thread's time (Kafka's request quota): 100 is one thread's worth.</summary>
    public const string RequestPercentage = "request_percentage";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { ProducerByteRate, ConsumerByteRate, RequestPercentage };
}
