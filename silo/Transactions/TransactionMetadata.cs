using Hub.Groups;
using Hub.Transactions;

namespace Hub.Silo.Transactions;

/// <summary>What a transaction coordinator stores for one transactional id: the producer it fences for and its current transaction.</summary>
[GenerateSerializer]
internal sealed class TransactionMetadata
{
    /// <summary>-1 before the first InitProducerId.</summary>
    [Id(0)] public long ProducerId { get; set; } = -1;

    [Id(1)] public short ProducerEpoch { get; set; } = -1;

    [Id(2)] public TransactionStatus Status { get; set; } = TransactionStatus.Empty;

    [Id(3)] public int TimeoutMs { get; set; }

    /// <summary>The partitions records of the transaction may be in, as "topic" → partitions (string keys for JSON storage).</summary>
    [Id(4)] public Dictionary<string, HashSet<int>> Partitions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The consumer groups holding offsets committed in the transaction.</summary>
    [Id(5)] public HashSet<string> Groups { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Unix ms when the transaction became ongoing; -1 when none is.</summary>
    [Id(6)] public long StartedMs { get; set; } = -1;

    /// <summary>Unix ms of the last change.</summary>
    [Id(7)] public long UpdatedMs { get; set; }

    /// <summary>Whether the transaction directory knows the id (registered once, before the first InitProducerId is stored).</summary>
    [Id(8)] public bool Registered { get; set; }

    public IEnumerable<TopicPartition> AllPartitions() =>
        Partitions.SelectMany(topic => topic.Value.Order().Select(p => new TopicPartition(topic.Key, p)));
}
