using Hub.Partitions;

namespace Hub.Silo.InterBroker;

/// <summary>
/// The leader's answer to a <see cref="ReplicaFetchRequest"/>: batches from the fetch offset as stored (their
/// offsets and epochs already set), the leader's high watermark and log start. When the follower's tail
/// diverges from the leader's log, <see cref="DivergingEpoch"/> is set and <see cref="DivergingEndOffset"/> says
/// where that epoch ends on the leader; the follower cuts at the smaller of that and its own end of the epoch
/// (the replication folder's LogDivergence). The follower owns
/// <see cref="Records"/> and disposes it once appended (see <see cref="PooledBatches"/>).
/// </summary>
[GenerateSerializer, Immutable]
internal readonly record struct ReplicaFetchResult(
    [property: Id(0)] PooledBatches Records,
    [property: Id(1)] long HighWatermark,
    [property: Id(2)] long LogStartOffset,
    [property: Id(3)] int DivergingEpoch = -1,
    [property: Id(4)] long DivergingEndOffset = -1)
{
    public bool Diverged => DivergingEpoch >= 0;
}
