namespace Hub.Partitions;

/// <summary>
/// Key of a partition replica grain: "topic/partition@broker". The broker id is part of the key because the
/// replica owns files on that broker's disk, so the grain must always activate there.
/// </summary>
public static class PartitionKey
{
    public static string Format(string topic, int partition, int brokerId) => $"{topic}/{partition}@{brokerId}";

    public static (string Topic, int Partition, int BrokerId) Parse(string key)
    {
        var at = key.LastIndexOf('@');
        var slash = key.LastIndexOf('/', at < 0 ? key.Length - 1 : at);
        if (at < 0 || slash < 0
            || !int.TryParse(key.AsSpan(slash + 1, at - slash - 1), out var partition)
            || !int.TryParse(key.AsSpan(at + 1), out var broker))
            throw new FormatException($"'{key}' is not a partition key of the form topic/partition@broker");
        return (key[..slash], partition, broker);
    }
}
