namespace Hub.Partitions;

/// <summary>
/// Which records a consumer may read: Kafka's <c>isolation.level</c>, with the values its Fetch and ListOffsets
/// requests carry. <see cref="ReadCommitted"/> (the SDK's default, as librdkafka's) reads up to the partition's last
/// stable offset, short of any transaction still open, and never sees a record of an aborted transaction;
/// <see cref="ReadUncommitted"/> reads up to the high watermark. Hub has no transactions yet, so the last stable
/// offset is the high watermark and both levels read the same records. Control batches (transaction markers) reach
/// no application at either level.
/// </summary>
public enum IsolationLevel : sbyte
{
    ReadUncommitted = 0,
    ReadCommitted = 1,
}
