using Hub.Errors;
using Hub.Partitions;

namespace Hub.Silo.Partitions;

/// <summary>
/// Where a consumer's reads stop, by its isolation level: the one place transactions (issue 17) change what
/// consumers see, for fetches and for ListOffsets alike (as Kafka's fetchOffsetForTimestamp and its fetch both ask
/// one "last fetchable offset"). Read uncommitted stops at the high watermark. Read committed stops at the last
/// stable offset: the first offset of the oldest transaction still open, or the high watermark when none is; its
/// fetches will then also name the aborted transactions they cover, whose records the client drops. Hub writes no
/// transactional batches yet, so no transaction is ever open and both levels end at the high watermark.
/// </summary>
internal static class ConsumerReadEnd
{
    public static long For(IsolationLevel isolationLevel, long highWatermark) => isolationLevel switch
    {
        IsolationLevel.ReadUncommitted => highWatermark,
        IsolationLevel.ReadCommitted => highWatermark, // the last stable offset, with no transaction open
        _ => throw new HubException(ErrorCode.InvalidRequest, $"unknown isolation level {(int)isolationLevel}"),
    };
}
