using Hub.Errors;
using Hub.Partitions;

namespace Hub.Silo.Partitions;

/// <summary>
/// Where a consumer's reads stop, by its isolation level, for fetches and for ListOffsets alike (as Kafka's
/// fetchOffsetForTimestamp and its fetch both ask one "last fetchable offset"). Read uncommitted stops at the high
/// watermark. Read committed stops at the last stable offset: the first offset of the oldest transaction still open
/// (see <see cref="Log.SegmentLog.LastStableOffset"/>); its fetches also name the aborted transactions they cover,
/// whose records the client drops.
/// </summary>
internal static class ConsumerReadEnd
{
    public static long For(IsolationLevel isolationLevel, long highWatermark, long lastStableOffset) => isolationLevel switch
    {
        IsolationLevel.ReadUncommitted => highWatermark,
        IsolationLevel.ReadCommitted => Math.Min(lastStableOffset, highWatermark),
        _ => throw new HubException(ErrorCode.InvalidRequest, $"unknown isolation level {(int)isolationLevel}"),
    };
}
