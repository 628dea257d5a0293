namespace Hub.Groups;

/// <summary>
/// One record handed to a key-ordered consumer, copied out of its batch (key, value and header bytes as in
/// <see cref="Batches.Record"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KeyOrderedRecord(
    [property: Id(0)] long Offset,
    [property: Id(1)] long Timestamp,
    [property: Id(2)] byte[]? Key,
    [property: Id(3)] byte[]? Value,
    [property: Id(4)] int HeaderCount,
    [property: Id(5)] byte[] HeaderBytes);

/// <summary>
/// A key-ordered consumer's request: acknowledge the records it finished (by offset), then wait up to
/// <see cref="MaxWaitMs"/> for at most <see cref="MaxRecords"/> more. Each call also keeps its lease alive.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KeyOrderedPoll
{
    [Id(0)] public string ConsumerId { get; init; } = "";

    [Id(1)] public long[] Acks { get; init; } = [];

    [Id(2)] public int MaxRecords { get; init; }

    [Id(3)] public int MaxWaitMs { get; init; }

    /// <summary>A consumer silent this long is presumed dead: its unacknowledged records go to others.</summary>
    [Id(4)] public int SessionTimeoutMs { get; init; }

    /// <summary>Where to start without a committed offset: <see cref="Partitions.OffsetSpec.Earliest"/> or <see cref="Partitions.OffsetSpec.Latest"/>.</summary>
    [Id(5)] public long ResetTo { get; init; } = Partitions.OffsetSpec.Latest;
}

/// <summary>Key of a key-ordered partition grain: "topic/partition/group" (topic names hold no '/').</summary>
public static class KeyOrderedPartitionKey
{
    public static string Format(string groupId, string topic, int partition) => $"{topic}/{partition}/{groupId}";

    public static (string GroupId, string Topic, int Partition) Parse(string key)
    {
        var first = key.IndexOf('/');
        var second = first < 0 ? -1 : key.IndexOf('/', first + 1);
        if (first <= 0 || second < 0 || !int.TryParse(key.AsSpan(first + 1, second - first - 1), out var partition) || second == key.Length - 1)
            throw new FormatException($"'{key}' is not a key-ordered partition key of the form topic/partition/group");
        return (key[(second + 1)..], key[..first], partition);
    }
}
