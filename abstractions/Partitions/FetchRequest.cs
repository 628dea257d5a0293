namespace Hub.Partitions;

/// <summary>
/// Read whole record batches starting with the one that holds <see cref="Offset"/>. The reply waits up to
/// <see cref="MaxWaitMs"/> for at least <see cref="MinBytes"/>, and carries at most <see cref="MaxBytes"/>
/// unless the first batch alone is larger (then that batch alone, so a consumer always makes progress).
/// <see cref="CurrentLeaderEpoch"/>, when not -1, is the leader epoch the caller believes current: the replica refuses
/// another with FENCED_LEADER_EPOCH (older) or UNKNOWN_LEADER_EPOCH (newer), as Kafka's Fetch does (KIP-320).
/// <see cref="IsolationLevel"/> says how far the read may go: the last stable offset (read committed, the default)
/// or the high watermark.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct FetchRequest(
    [property: Id(0)] long Offset,
    [property: Id(1)] int MaxBytes,
    [property: Id(2)] int MaxWaitMs = 0,
    [property: Id(3)] int MinBytes = 1,
    [property: Id(4)] int CurrentLeaderEpoch = -1,
    [property: Id(5)] IsolationLevel IsolationLevel = IsolationLevel.ReadCommitted);
