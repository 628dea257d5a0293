using Hub.Groups;

namespace Hub.Silo.Groups;

/// <summary>
/// What a group keeps across restarts: its committed offsets, the last generation (so generations keep
/// growing and a pre-restart member's generation is never current again) and when it became empty (for
/// offsets retention). Members are not kept; they rejoin after a restart.
/// </summary>
[GenerateSerializer]
internal sealed class ConsumerGroupState
{
    /// <summary>
    /// Committed offsets by topic, then partition. Nested rather than keyed by <see cref="TopicPartition"/>: the
    /// storage serializer may be JSON, where dictionary keys must be strings or numbers.
    /// </summary>
    [Id(0)]
    public Dictionary<string, Dictionary<int, StoredOffset>> Offsets { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public int Generation { get; set; }

    /// <summary>Protocol type of the last generation with members ("" before any), for ListGroups of an empty group.</summary>
    [Id(2)]
    public string ProtocolType { get; set; } = "";

    /// <summary>Unix ms when the group last became empty; -1 while it has members.</summary>
    [Id(3)]
    public long EmptySinceMs { get; set; } = -1;

    /// <summary>
    /// Offsets committed in transactions not yet ended (TxnOffsetCommit), by producer id, then as <see cref="Offsets"/>:
    /// they become committed offsets when their transaction commits.
    /// </summary>
    [Id(4)]
    public Dictionary<long, Dictionary<string, Dictionary<int, StoredOffset>>> PendingTransactionalOffsets { get; set; } = [];

    /// <summary>The protocol of the group's last members (<see cref="GroupTypes"/>), for ListGroups of an empty group.</summary>
    [Id(5)]
    public string GroupType { get; set; } = GroupTypes.Classic;

    public int OffsetCount => Offsets.Values.Sum(partitions => partitions.Count);

    public IEnumerable<(TopicPartition Partition, StoredOffset Offset)> AllOffsets() =>
        Offsets.SelectMany(topic => topic.Value.Select(p => (new TopicPartition(topic.Key, p.Key), p.Value)));

    public StoredOffset? GetOffset(TopicPartition partition) =>
        Offsets.TryGetValue(partition.Topic, out var partitions) ? partitions.GetValueOrDefault(partition.Partition) : null;

    public void SetOffset(TopicPartition partition, StoredOffset offset)
    {
        if (!Offsets.TryGetValue(partition.Topic, out var partitions)) Offsets[partition.Topic] = partitions = [];
        partitions[partition.Partition] = offset;
    }

    public void RemoveOffset(TopicPartition partition)
    {
        if (!Offsets.TryGetValue(partition.Topic, out var partitions)) return;
        partitions.Remove(partition.Partition);
        if (partitions.Count == 0) Offsets.Remove(partition.Topic);
    }
}

[GenerateSerializer, Immutable]
internal sealed record StoredOffset(
    [property: Id(0)] long Offset,
    [property: Id(1)] int LeaderEpoch,
    [property: Id(2)] string? Metadata,
    [property: Id(3)] long CommitTimestampMs);
