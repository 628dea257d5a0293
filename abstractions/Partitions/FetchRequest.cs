namespace Hub.Partitions;

/// <summary>
/// Read whole record batches starting with the one that holds <see cref="Offset"/>. The reply waits up to
/// <see cref="MaxWaitMs"/> for at least <see cref="MinBytes"/>, and carries at most <see cref="MaxBytes"/>
/// unless the first batch alone is larger: then that batch alone when <see cref="WholeFirstBatch"/> (so a consumer
/// always makes progress), or nothing. A reply with nothing while records are readable at <see cref="Offset"/>
/// (their first batch did not fit) comes at once, as waiting would not change it; so <see cref="MaxBytes"/> 0 with
/// <see cref="WholeFirstBatch"/> false reads nothing and, with a wait, answers once records are readable.
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
    [property: Id(5)] IsolationLevel IsolationLevel = IsolationLevel.ReadCommitted,
    [property: Id(6)] bool WholeFirstBatch = true);
