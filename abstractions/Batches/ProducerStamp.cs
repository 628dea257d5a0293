namespace Hub.Batches;

/// <summary>
/// The idempotent producer's fields of a v2 batch header: who wrote the batch (producer id and epoch) and the
/// sequence number of its first record, by which the partition stores a retried batch once and refuses a gap; and
/// whether the batch belongs to the producer's open transaction (the header's transactional attribute).
/// </summary>
public readonly record struct ProducerStamp(long ProducerId, short ProducerEpoch, int BaseSequence, bool IsTransactional = false)
{
    /// <summary>Kafka's "no producer" values: a batch of a producer without idempotence.</summary>
    public static ProducerStamp None => new(-1, -1, -1);

    /// <summary><paramref name="sequence"/> + <paramref name="by"/>, wrapping from int.MaxValue to 0 as Kafka's sequences do.</summary>
    public static int AddToSequence(int sequence, int by) =>
        sequence > int.MaxValue - by ? by - (int.MaxValue - sequence) - 1 : sequence + by;
}
