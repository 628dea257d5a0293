using Hub.Groups;

namespace Hub.Silo.Groups;

/// <summary>
/// What a group keeps across restarts: its committed offsets, the last generation (so generations keep
/// growing and a pre-restart member's generation is never current again) and when it became empty (for
/// offsets retention). Members are not kept; they rejoin after a restart.
/// </summary>
[GenerateSerializer]
public sealed class ConsumerGroupState
{
    [Id(0)]
    public Dictionary<TopicPartition, StoredOffset> Offsets { get; set; } = [];

    [Id(1)]
    public int Generation { get; set; }

    /// <summary>Protocol type of the last generation with members ("" before any), for ListGroups of an empty group.</summary>
    [Id(2)]
    public string ProtocolType { get; set; } = "";

    /// <summary>Unix ms when the group last became empty; -1 while it has members.</summary>
    [Id(3)]
    public long EmptySinceMs { get; set; } = -1;
}

[GenerateSerializer, Immutable]
public sealed record StoredOffset(
    [property: Id(0)] long Offset,
    [property: Id(1)] int LeaderEpoch,
    [property: Id(2)] string? Metadata,
    [property: Id(3)] long CommitTimestampMs);
