using Hub.Groups;

namespace Hub.Transactions;

/// <summary>
/// One transactional id as its coordinator holds it (Kafka's DescribeTransactions answer): the producer it fences for
/// and its current transaction.
/// </summary>
/// <param name="StartedMs">Unix ms when the transaction became ongoing; -1 when none is.</param>
/// <param name="Partitions">The partitions of the current transaction (none once it is complete), ordered.</param>
[GenerateSerializer, Immutable]
public sealed record TransactionDescription(
    [property: Id(0)] string TransactionalId,
    [property: Id(1)] TransactionStatus State,
    [property: Id(2)] long ProducerId,
    [property: Id(3)] short ProducerEpoch,
    [property: Id(4)] int TimeoutMs,
    [property: Id(5)] long StartedMs,
    [property: Id(6)] TopicPartition[] Partitions);
