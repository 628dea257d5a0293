namespace Hub.Client;

/// <summary>
/// How long the records a <see cref="HubConsumer"/> hands out stay valid: their keys, values and headers (and a
/// <see cref="ConsumedBatch"/>'s bytes) are slices of the consumer's fetch buffers, never copies.
/// </summary>
public enum RecordLifetime
{
    /// <summary>
    /// The default: records stay valid for as long as the application holds them, so it may keep them (in a
    /// list, in another thread's queue) without copying. Each fetch's buffer is then left to the garbage
    /// collector, which costs about one allocation of every fetched byte.
    /// </summary>
    Unbounded,

    /// <summary>
    /// <b>A record is valid only until the consume loop asks for its next item.</b> Once the enumeration of
    /// <see cref="HubConsumer.ConsumeAsync"/> (or of a group consumer's) moves on to a record of another batch,
    /// or <see cref="HubConsumer.ConsumeBatchesAsync"/> moves on to the next batch, or the enumeration ends, the
    /// fetch buffers (and decompression buffers) behind the previous batch go back to a pool and are reused by
    /// later fetches: a record's key, value or headers read after that show other records' bytes, silently. Copy
    /// (<c>ToArray()</c>) whatever must outlive the loop's iteration; never hand a record to another thread or
    /// keep it in a collection. In exchange a consumer allocates nothing per record in steady state.
    /// </summary>
    UntilNextBatch,
}
