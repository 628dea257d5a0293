namespace Hub.Silo.Kafka.Metadata;

/// <summary>Where Kafka clients reach one broker (a silo's Kafka listener), as Metadata reports it.</summary>
internal readonly record struct BrokerEndpoint(int BrokerId, string Host, int Port)
{
    public override string ToString() => $"{BrokerId}@{Host}:{Port}";

    /// <summary>"host:port" as published in silo metadata; null when malformed.</summary>
    public static BrokerEndpoint? Parse(int brokerId, string hostAndPort)
    {
        var colon = hostAndPort.LastIndexOf(':');
        return colon > 0 && int.TryParse(hostAndPort.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535
            ? new BrokerEndpoint(brokerId, hostAndPort[..colon], port)
            : null;
    }
}
