namespace Hub.Transactions;

/// <summary>
/// What a partition's leader remembers of one idempotent or transactional producer (Kafka's DescribeProducers answer).
/// </summary>
/// <param name="LastSequence">The sequence of its newest stored record; -1 when none is stored in its current epoch.</param>
/// <param name="LastAppendMs">Unix ms when it last appended, by the leader's clock (Kafka reports the batch's timestamp).</param>
/// <param name="TransactionStartOffset">The first offset of its transaction open in the partition; -1 when none is.</param>
[GenerateSerializer, Immutable]
public sealed record ActiveProducer(
    [property: Id(0)] long ProducerId,
    [property: Id(1)] short Epoch,
    [property: Id(2)] int LastSequence,
    [property: Id(3)] long LastAppendMs,
    [property: Id(4)] long TransactionStartOffset);
