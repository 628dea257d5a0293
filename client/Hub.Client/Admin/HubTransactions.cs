using Hub.Client.Metadata;
using Hub.Errors;
using Hub.Grains;
using Hub.Transactions;

namespace Hub.Client;

/// <summary>
/// The cluster's Kafka transactions, as Kafka's kafka-transactions tool inspects them: every transactional id with its
/// producer and current transaction, and the producers each partition's leader remembers. Refusals arrive as
/// <see cref="HubException"/> with Kafka's error codes; ids and topics the caller may not DESCRIBE are left out.
/// </summary>
public sealed class HubTransactions
{
    private readonly IGrainFactory _grains;
    private readonly PartitionRouter _router;

    internal HubTransactions(IGrainFactory grains, PartitionRouter router)
    {
        _grains = grains;
        _router = router;
    }

    private ITransactionDirectoryGrain Directory => _grains.GetGrain<ITransactionDirectoryGrain>(0);

    /// <summary>Every transactional id ever initialized, with its state, by id.</summary>
    public Task<TransactionDescription[]> ListAsync(CancellationToken ct = default) => Directory.ListTransactions().WaitAsync(ct);

    /// <summary>One transactional id; throws TransactionalIdNotFound for an id never initialized.</summary>
    public Task<TransactionDescription> DescribeAsync(string transactionalId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionalId);
        return Directory.DescribeTransaction(transactionalId).WaitAsync(ct);
    }

    /// <summary>
    /// Per partition of <paramref name="topic"/> (all, or those given), the producers its leader remembers; throws
    /// UnknownTopicOrPartition for a topic or partition that does not exist.
    /// </summary>
    public async Task<IReadOnlyList<(int Partition, ActiveProducer[] Producers)>> DescribeProducersAsync(string topic,
        IReadOnlyCollection<int>? partitions = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var metadata = await _router.GetTopicAsync(topic, ct).ConfigureAwait(false);
        var selected = partitions?.Distinct().Order().ToList() ?? Enumerable.Range(0, metadata.PartitionCount).ToList();
        if (selected.FirstOrDefault(p => (uint)p >= (uint)metadata.PartitionCount, -1) is var missing and >= 0)
            throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{topic}' has no partition {missing} (it has {metadata.PartitionCount})");
        var producers = await Task.WhenAll(selected.Select(p => _router.InvokeAsync(topic, p, grain => grain.DescribeProducers(), ct))).ConfigureAwait(false);
        return selected.Select((p, i) => (p, producers[i])).ToList();
    }
}
